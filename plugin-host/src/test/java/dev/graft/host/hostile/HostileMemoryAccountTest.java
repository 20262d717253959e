package dev.graft.host.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.graft.api.PluginLoadException;
import dev.graft.api.PluginMemoryLimitException;
import dev.graft.api.PluginTrapException;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.CallResult;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.policy.MemoryBudget;
import dev.graft.host.source.PluginSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Memory outside linear memory: tables and additional memories are charged to the one
 * {@code max-memory} account, and bulk-memory operations whose address plus length wraps 32 bits
 * trap as out of bounds. Every case runs in both execution modes, metered and unmetered.
 */
class HostileMemoryAccountTest extends HostileTestBase {

    static final long ONE_MIB = 1 << 20;
    static final long BIG_BUDGET = 5_000_000_000L;

    private static final Map<String, byte[]> WASM = new ConcurrentHashMap<>();

    /** Both modes, unmetered (0) and metered with a budget above 2^31 (bulk charges must fit). */
    static java.util.stream.Stream<Arguments> modes() {
        return java.util.stream.Stream.of(ExecutionMode.values())
                .flatMap(m -> java.util.stream.Stream.of(Arguments.of(m, 0L), Arguments.of(m, BIG_BUDGET)));
    }

    static byte[] wat(String text) {
        return WASM.computeIfAbsent(text, Wat2Wasm::parse).clone();
    }

    static Plugin load(String id, String wat, ExecutionMode mode, long fuel, long maxMemory) {
        PluginPolicy policy = PluginPolicy.builder().mode(mode).fuel(fuel).maxMemoryBytes(maxMemory)
                .timeout(Duration.ofSeconds(5)).instances(InstanceMode.FRESH).build();
        return ENGINE.load(PluginSpec.builder(PluginSource.ofBytes(id, wat(wat))).policy(policy).build());
    }

    /** The output of an export that writes one i64 at address 0 and sets it as its output. */
    static long answer(Plugin plugin, String export) {
        CallResult result = plugin.call(export, new byte[0]);
        return ByteBuffer.wrap(result.output()).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Returns the i64 on the stack as the call's 8-byte output (through the Extism kernel). */
    static final String OUTPUT_I64 = """
              (func $out (param $v i64)
                (local $p i64)
                (local.set $p (call $alloc (i64.const 8)))
                (call $store_u64 (local.get $p) (local.get $v))
                (call $output_set (local.get $p) (i64.const 8)))
            """;

    static final String KERNEL_IMPORTS = """
              (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
              (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
              (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
            """;

    // ---- tables ---------------------------------------------------------------------------------

    static final String TABLE_GROW = "(module\n" + KERNEL_IMPORTS + """
              (table $t 1 funcref)
              (table $u 1 externref)
              (memory 1)
            """ + OUTPUT_I64 + """
              ;; table.grow with a delta of 2^31-1 on a one-entry table: -1 (the spec), never an engine failure
              (func (export "grow_huge") (result i32)
                (call $out (i64.extend_i32_s (table.grow $t (ref.null func) (i32.const 0x7fffffff))))
                (i32.const 0))
              ;; as above, with a delta whose unsigned value is >= 2^31
              (func (export "grow_negative") (result i32)
                (call $out (i64.extend_i32_s (table.grow $t (ref.null func) (i32.const -1))))
                (i32.const 0))
              ;; grows both tables by 10,000 entries until one refuses; answers the entries reached
              (func (export "grow_until_refused") (result i32)
                (loop $again
                  (if (i32.ne (table.grow $t (ref.null func) (i32.const 10000)) (i32.const -1))
                    (then
                      (if (i32.ne (table.grow $u (ref.null extern) (i32.const 10000)) (i32.const -1))
                        (then (br $again))))))
                (call $out (i64.extend_i32_u (i32.add (table.size $t) (table.size $u))))
                (i32.const 0))
              ;; a module that treats a refused table.grow as fatal
              (func (export "grow_or_trap") (result i32)
                (loop $again
                  (if (i32.eq (table.grow $t (ref.null func) (i32.const 10000)) (i32.const -1))
                    (then unreachable))
                  (br $again))
                (i32.const 0))
              ;; the size a fresh instance's table starts with, after grow
              (func (export "size_then_grow") (result i32)
                (call $out (i64.extend_i32_u (table.size $t)))
                (drop (table.grow $t (ref.null func) (i32.const 100)))
                (i32.const 0)))
            """;

    @ParameterizedTest
    @MethodSource("modes")
    void tableGrowWithAHugeDeltaReturnsMinusOne(ExecutionMode mode, long fuel) {
        Plugin p = load("hostile-table-grow-huge", TABLE_GROW, mode, fuel, ONE_MIB);
        try {
            assertEquals(-1, answer(p, "grow_huge"));
            assertEquals(-1, answer(p, "grow_negative"));
        } finally {
            p.close();
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void tableEntriesAreChargedToMaxMemory(ExecutionMode mode, long fuel) {
        Plugin p = load("hostile-table-grow", TABLE_GROW, mode, fuel, ONE_MIB);
        try {
            long entries = answer(p, "grow_until_refused");
            // One page of linear memory and a few kernel bytes share the MiB with the tables.
            assertTrue(entries * MemoryBudget.TABLE_ENTRY_BYTES <= ONE_MIB - 65536,
                    entries + " table entries held under a 1 MiB account");
            assertTrue(entries > 50_000, "growth refused only near the cap, at " + entries + " entries");
        } finally {
            p.close();
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void aModuleTrappingOnARefusedTableGrowFailsWithTheMemoryLimit(ExecutionMode mode, long fuel) {
        Plugin p = load("hostile-table-trap", TABLE_GROW, mode, fuel, ONE_MIB);
        try {
            assertRefusal(PluginMemoryLimitException.class, "hostile-table-trap", () -> p.call("grow_or_trap", new byte[0]),
                    "max-memory", Long.toString(ONE_MIB));
        } finally {
            p.close();
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aTableGrownInOneInstanceDoesNotGrowTheNextOne(ExecutionMode mode) {
        // Chicory raises the parsed module's table minimum on grow; each instance must start afresh.
        Plugin p = load("table-fresh", TABLE_GROW, mode, 0, ONE_MIB);
        try {
            assertEquals(1, answer(p, "size_then_grow"));
            assertEquals(1, answer(p, "size_then_grow"));
        } finally {
            p.close();
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aTableDeclaringMoreEntriesThanMaxMemoryHoldsIsRefusedAtLoad(ExecutionMode mode) {
        // 900,000 entries pass the load budget (load-limits.max-table-entries); their 10.8 MB do not fit 1 MiB.
        String wat = "(module (table 900000 funcref) (func (export \"run\") (result i32) (i32.const 0)))";
        long start = System.nanoTime();
        assertRefusal(PluginLoadException.class, "hostile-table-initial",
                () -> load("hostile-table-initial", wat, mode, 0, ONE_MIB),
                "900000 initial table entries", "max-memory", Long.toString(ONE_MIB));
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "refused within 5 s");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aHundredTablesTogetherAreHeldUnderTheCap(ExecutionMode mode) {
        StringBuilder wat = new StringBuilder("(module\n");
        for (int i = 0; i < 100; i++) {
            wat.append("(table $t").append(i).append(" 1000 funcref)\n");
        }
        // 100 x 1000 entries x 12 bytes = 1.2 MB > 1 MiB: each table is small, together they are not.
        wat.append("(func (export \"run\") (result i32) (i32.const 0)))");
        assertRefusal(PluginLoadException.class, "hostile-many-tables",
                () -> load("hostile-many-tables", wat.toString(), mode, 0, ONE_MIB),
                "100000 initial table entries", "100 tables", "max-memory");
    }

    // ---- multi-memory ---------------------------------------------------------------------------

    /**
     * Two memories (the bundled wat2wasm has no multi-memory, so assembled by hand): 1 page and
     * {@code secondPages} pages, neither with a maximum. {@code run} grows the second one page at a time
     * until refused and returns 1 if both together then exceed {@code capPages}, else 0.
     */
    static byte[] twoMemories(int firstPages, int secondPages, int capPages) {
        return WasmBytes.module()
                .section(1, 1, 0x60, 0, 1, 0x7F) // type 0: () -> i32
                .section(3, 1, 0) // one function of type 0
                .section(5, 2, 0x00, firstPages, 0x00, secondPages) // two memories, min only
                .section(7, WasmBytes.exportFunction("run", 0))
                .section(10, WasmBytes.concat(new int[] {1}, WasmBytes.body(0,
                        0x03, 0x40, // loop
                        0x41, 0x01, 0x40, 0x01, // memory.grow 1 (i32.const 1)
                        0x41, 0x7F, 0x47, 0x0D, 0x00, // br_if 0 (result != -1)
                        0x0B,
                        0x3F, 0x00, 0x3F, 0x01, 0x6A, // memory.size 0 + memory.size 1
                        0x41, capPages, 0x4B, // i32.gt_u cap
                        0x0B)))
                .bytes();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void allLinearMemoriesShareOneAccount(ExecutionMode mode, long fuel) {
        PluginPolicy policy = PluginPolicy.builder().mode(mode).fuel(fuel).maxMemoryBytes(ONE_MIB)
                .timeout(Duration.ofSeconds(5)).build();
        Plugin p = ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("hostile-multi-memory", twoMemories(1, 8, 16)))
                .policy(policy).build());
        try {
            // A non-zero return code (both memories together over 16 pages) fails the call.
            assertEquals(0, p.call("run", new byte[0]).output().length);
        } finally {
            p.close();
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void twoMemoriesEachUnderTheCapButTogetherOverItAreRefusedAtLoad(ExecutionMode mode) {
        PluginPolicy policy = PluginPolicy.builder().mode(mode).fuel(0).maxMemoryBytes(ONE_MIB).build();
        assertRefusal(PluginLoadException.class, "hostile-two-memories",
                () -> ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("hostile-two-memories", twoMemories(10, 10, 16)))
                        .policy(policy).build()),
                "20 pages", "2 memories", "max-memory");
    }

    // ---- bulk memory whose address + length wraps 32 bits ---------------------------------------

    static final String BULK = """
            (module
              (memory 1)
              (data $d "abc")
              (func (export "fill") (result i32)
                (memory.fill (i32.const 0x100) (i32.const 7) (i32.const 0x7fffffff)) (i32.const 0))
              (func (export "fill_end") (result i32)
                (memory.fill (i32.const 0xffff) (i32.const 7) (i32.const 0x7fffff01)) (i32.const 0))
              (func (export "copy_dest") (result i32)
                (memory.copy (i32.const 0x100) (i32.const 0) (i32.const 0x7fffffff)) (i32.const 0))
              (func (export "copy_src") (result i32)
                (memory.copy (i32.const 0) (i32.const 0x100) (i32.const 0x7fffffff)) (i32.const 0))
              (func (export "init") (result i32)
                (memory.init $d (i32.const 0x100) (i32.const 0) (i32.const 0x7fffffff)) (i32.const 0)))
            """;

    @ParameterizedTest
    @MethodSource("modes")
    void bulkMemoryWhoseAddressPlusLengthWrapsTrapsAsOutOfBounds(ExecutionMode mode, long fuel) {
        PluginPolicy policy = PluginPolicy.builder().mode(mode).fuel(fuel).maxMemoryBytes(ONE_MIB)
                .timeout(Duration.ofSeconds(5)).instances(InstanceMode.POOLED).poolSize(1).build();
        Plugin p = ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("hostile-bulk", wat(BULK))).policy(policy).build());
        try {
            for (String export : new String[] {"fill", "fill_end", "copy_dest", "copy_src", "init"}) {
                PluginTrapException e = assertRefusal(PluginTrapException.class, "hostile-bulk",
                        () -> p.call(export, new byte[0]), "out of bounds memory access");
                assertTrue(!e.getMessage().contains("engine failure"), e.getMessage());
            }
        } finally {
            p.close();
        }
    }
}
