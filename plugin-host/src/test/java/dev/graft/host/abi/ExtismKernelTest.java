package dev.graft.host.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.TrapException;
import dev.graft.api.PluginPayloadException;
import dev.graft.host.policy.MemoryBudget;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

/**
 * The kernel's ABI functions as a plugin calls them: the input/output/error expectations of Extism's
 * {@code tests/kernel.rs} (each test names the one it covers), output read at return, and the log budget.
 */
class ExtismKernelTest {

    private final List<String> logged = new ArrayList<>();
    private final MemoryBudget budget = new MemoryBudget("kernel-test", 64L << 20);
    private final ExtismKernel kernel = kernel(64 * 1024);
    private final Map<String, HostFunction> env = new HashMap<>();

    ExtismKernelTest() {
        for (HostFunction f : kernel.envFunctions()) {
            env.put(f.name(), f);
        }
        kernel.beginCall("run", "hello".getBytes(StandardCharsets.UTF_8));
    }

    private ExtismKernel kernel(long maxLogBytes) {
        return new ExtismKernel("kernel-test", Map.of(), Map.of(), 1024, 1 << 20, maxLogBytes, budget, capturingLogger(),
                null, null);
    }

    private long call(String name, long... args) {
        long[] result = env.get(name).handle().apply(null, args);
        return result == null ? 0 : result[0];
    }

    private long block(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long p = call("alloc", bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            call("store_u8", p + i, bytes[i]);
        }
        return p;
    }

    // kernel.rs test_kernel_allocations, first line: a zero-length alloc is offset 0.
    @Test
    void zeroLengthAllocIsZero() {
        assertEquals(0, call("alloc", 0));
        assertEquals(0, call("length", 0));
        assertEquals(0, call("length_unsafe", 0));
    }

    // kernel.rs test_kernel_allocations: length and length_unsafe agree on live blocks, 0 elsewhere.
    @Test
    void lengthAndLengthUnsafe() {
        long p = call("alloc", 1);
        assertEquals(1, call("length", p));
        assertEquals(1, call("length_unsafe", p));
        assertEquals(0, call("length", p + 1));
        assertEquals(0, call("length_unsafe", p + 1));
        call("free", p);
        assertEquals(0, call("length", p));
        assertEquals(0, call("length_unsafe", p));
    }

    // kernel.rs test_kernel_error: error_get gives back the block given to error_set.
    @Test
    void errorGetReturnsTheBlockOfErrorSet() {
        long p = call("alloc", 512);
        call("error_set", p);
        assertEquals(p, call("error_get"));
        call("error_set", 0);
        assertEquals(0, call("error_get"));
        assertNull(kernel.error());
    }

    @Test
    void theErrorIsReadWhenTheExportReturns() {
        long p = call("alloc", 4);
        call("error_set", p);
        for (int i = 0; i < 4; i++) {
            call("store_u8", p + i, "oops".charAt(i));
        }
        assertEquals("oops", kernel.error());
    }

    @Test
    void anErrorWhoseBlockWasFreedSaysSo() {
        long p = block("gone");
        call("error_set", p);
        call("free", p);
        assertTrue(kernel.error().contains("freed before 'run' returned"), kernel.error());
        assertThrows(TrapException.class, () -> call("error_set", p + 1), "error_set of a non-block traps");
    }

    // lib.rs memory_bytes: what the kernel holds, freed blocks included.
    @Test
    void memoryBytesIsTheExtent() {
        assertEquals(0, call("memory_bytes"));
        long p = call("alloc", 100);
        assertEquals(KernelMemory.HEADER + 100, call("memory_bytes"));
        call("free", p);
        assertEquals(KernelMemory.HEADER + 100, call("memory_bytes"));
        assertEquals(KernelMemory.HEADER + 100, budget.usedBytes(), "and the budget holds the same");
    }

    // kernel.rs test_load_input: input_set makes a block the input (out of range: Extism reads 0, Graft traps).
    @Test
    void inputSetAndInputLoads() {
        int n = 123456;
        long p = call("alloc", n);
        for (int i = 0; i < n; i += 8) {
            call("store_u64", p + i, 0x6161616161616161L);
        }
        call("input_set", p, n);
        assertEquals(n, call("input_length"));
        for (int i = 0; i < n; i += 997) {
            assertEquals('a', call("input_load_u8", i));
        }
        assertThrows(TrapException.class, () -> call("input_load_u64", n + 1));
        assertThrows(TrapException.class, () -> call("input_load_u8", n));
    }

    // lib.rs input_set/input_offset: the input is the range itself, read where it lies.
    @Test
    void inputSetMakesTheRangeTheInputWhereItLies() {
        long p = block("abcdefgh");
        call("input_set", p, 8);
        assertEquals(p, call("input_offset"));
        call("store_u8", p, 'z');
        assertEquals('z', call("input_load_u8", 0), "a later store is seen, as in Extism");
        assertEquals(0x6867666564636261L & ~0xFFL | 'z', call("input_load_u64", 0));
        call("free", p);
        assertEquals(0, call("input_length"), "freeing the range's block takes the input with it");
        assertThrows(TrapException.class, () -> call("input_set", p, 1 << 20), "a range past the last block");
    }

    // lib.rs free: freeing the input's block takes the input with it.
    @Test
    void freeingTheInputBlockEmptiesTheInput() {
        assertEquals(5, call("input_length"));
        long p = call("input_offset");
        assertEquals(5, call("length", p));
        call("free", p);
        assertEquals(0, call("input_length"));
    }

    // lib.rs output_set/output_offset/output_length: output_set records; the bytes are read at return.
    @Test
    void theOutputIsReadWhenTheExportReturns() {
        long p = call("alloc", 5);
        call("output_set", p, 5);
        assertEquals(p, call("output_offset"));
        assertEquals(5, call("output_length"));
        byte[] late = "later".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < late.length; i++) {
            call("store_u8", p + i, late[i]);
        }
        assertArrayEquals(late, kernel.output());
    }

    @Test
    void anOutputRangePastTheLastBlockIsRefusedNotRead() {
        long p = call("alloc", 8);
        call("output_set", p, 4096);
        TrapException e = assertThrows(TrapException.class, kernel::output);
        assertTrue(e.getMessage().contains("'run'") && e.getMessage().contains("offset " + p + ", 4096 bytes"),
                e.getMessage());

        kernel.beginCall("run", new byte[0]);
        call("output_set", 1L << 40, 8);
        assertThrows(TrapException.class, kernel::output);

        kernel.beginCall("run", new byte[0]);
        long q = block("gone");
        call("output_set", q, 4);
        call("reset");
        assertThrows(TrapException.class, kernel::output, "a reset after output_set takes the range away");
    }

    @Test
    void anEmptyOutputNeedsNoBlock() {
        call("output_set", 0, 0);
        assertArrayEquals(new byte[0], kernel.output());
    }

    @Test
    void anOutputOverTheCapIsRefusedAtOutputSet() {
        long p = call("alloc", 8);
        PluginPayloadException e = assertThrows(PluginPayloadException.class, () -> call("output_set", p, 2 << 20));
        assertTrue(e.getMessage().contains("max-output-bytes"), e.getMessage());
        assertThrows(PluginPayloadException.class, () -> call("output_set", p, -1));
    }

    @Test
    void logLinesPastTheBudgetAreDroppedAndCountedInOneNotice() {
        ExtismKernel small = kernel(10_000);
        Map<String, HostFunction> fns = new HashMap<>();
        small.envFunctions().forEach(f -> fns.put(f.name(), f));
        small.beginCall("noisy", new byte[0]);
        long line = fns.get("alloc").handle().apply(null, 1 << 20)[0];
        for (int i = 0; i < 100; i++) {
            fns.get("log_info").handle().apply(null, line);
        }
        long written = logged.stream().mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();
        assertEquals(2, logged.size(), "two 4 KiB heads fit in 10,000 bytes: " + written);
        assertTrue(logged.get(0).endsWith("… (1048576 bytes)"), "a long line is cut");
        small.endCall();
        assertEquals(3, logged.size());
        String notice = logged.get(2);
        assertTrue(notice.startsWith("WARN "), notice);
        for (String mention : List.of("'kernel-test'", "max-log-bytes", "10000 bytes per call", "'noisy'",
                "98 log line(s)", (98L << 20) + " bytes")) {
            assertTrue(notice.contains(mention), "notice names " + mention + ": " + notice);
        }
        small.beginCall("quiet", new byte[0]);
        long again = fns.get("alloc").handle().apply(null, 1 << 20)[0];
        fns.get("log_info").handle().apply(null, again);
        small.endCall();
        assertEquals(4, logged.size(), "the next call has its budget again, and no notice");
    }

    /** A logger that keeps "LEVEL message" lines. */
    private Logger capturingLogger() {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.startsWith("is") && name.endsWith("Enabled")) {
                        return true;
                    }
                    if (List.of("trace", "debug", "info", "warn", "error").contains(name) && args != null
                            && args[0] instanceof String format) {
                        Object[] rest = args.length == 2 && args[1] instanceof Object[] array ? array
                                : java.util.Arrays.copyOfRange(args, 1, args.length);
                        logged.add(name.toUpperCase(java.util.Locale.ROOT) + " "
                                + MessageFormatter.arrayFormat(format, rest).getMessage());
                        return null;
                    }
                    if (name.equals("getName")) {
                        return "graft.plugin.kernel-test";
                    }
                    return null;
                });
    }
}
