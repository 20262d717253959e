package dev.graft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code graft} in-process and checks output bytes and the documented exit codes. */
class GraftCommandTest {

    static final String HELLO = "../examples/hello-as/hello.wasm";
    static final String PRICING_RUST = "../sample-plugins/pricing-rust/pricing-rust.wasm";

    @TempDir
    Path dir;

    record Run(int code, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    static Run graft(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true));
        try {
            int code = GraftCommand.run(args, new PrintWriter(err, true));
            return new Run(code, out.toByteArray(), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    Path wat(String name, String text) throws Exception {
        Path file = dir.resolve(name + ".wasm");
        Files.write(file, Wat2Wasm.parse(text));
        return file;
    }

    @Test
    void callsThePdkBuiltPluginAndWritesOutputBytesExactly() {
        Run run = graft("call", HELLO, "greet", "--input", "Zoë", "--config", "greeting=Hej", "--stats");
        assertEquals(0, run.code(), run.stderr());
        assertEquals("Hej, Zoë!", run.out());
        assertTrue(run.stderr().contains("elapsed:") && run.stderr().contains("memory high-water:"), run.stderr());
    }

    @Test
    void inputFileIsPassedAsBytes() throws Exception {
        Path input = dir.resolve("in.bin");
        byte[] bytes = {0, (byte) 0xff, 10, 13, 'x'};
        Files.write(input, bytes);
        Run run = graft("call", HELLO, "echo", "--input-file", input.toString(), "--interpreted");
        assertEquals(0, run.code(), run.stderr());
        assertEquals(List.of(0, -1, 10, 13, 120), toList(run.stdout()));
    }

    private static List<Integer> toList(byte[] b) {
        return java.util.stream.IntStream.range(0, b.length).mapToObj(i -> (int) b[i]).toList();
    }

    @Test
    void pluginErrorExitsThree() {
        Run run = graft("call", HELLO, "fail", "--input", "x");
        assertEquals(3, run.code());
        assertTrue(run.stderr().contains("fail was called with: x"), run.stderr());
    }

    @Test
    void loopExitsFiveOnTimeout() throws Exception {
        Path loop = wat("loop", "(module (func (export \"run\") (result i32) (loop $l (br $l)) (i32.const 0)))");
        Run run = graft("call", loop.toString(), "run", "--timeout", "150ms", "--fuel", "0");
        assertEquals(5, run.code(), run.stderr());
        assertTrue(run.stderr().contains("timeout limit of 150 ms"), run.stderr());
    }

    @Test
    void loopExitsFourOnFuelExhaustionAndStatsReportFuel() throws Exception {
        Path loop = wat("loop", "(module (func (export \"run\") (result i32) (loop $l (br $l)) (i32.const 0)))");
        Run run = graft("call", loop.toString(), "run", "--timeout", "60s", "--fuel", "5000");
        assertEquals(4, run.code(), run.stderr());
        assertTrue(run.stderr().contains("exhausted the fuel budget of 5000"), run.stderr());

        Path sum = wat("sum", """
                (module (func (export "run") (result i32) (local $i i32)
                  (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
                           (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
                  (i32.const 0)))""");
        for (String mode : new String[] {"--max-input=1MiB", "--interpreted"}) {
            Run ok = graft("call", sum.toString(), "run", "--stats", mode);
            assertEquals(0, ok.code(), ok.stderr());
            // 100 iterations of 8 instructions, plus the final i32.const: the same in both modes.
            assertTrue(ok.stderr().contains("fuel: 801"), ok.stderr());
        }
    }

    @Test
    void trapExitsThree() throws Exception {
        Path trap = wat("trap", "(module (func (export \"run\") (result i32) unreachable))");
        Run run = graft("call", trap.toString(), "run");
        assertEquals(3, run.code(), run.stderr());
        assertTrue(run.stderr().contains("trapped"), run.stderr());
    }

    @Test
    void memoryBombExitsSix() throws Exception {
        Path bomb = wat("bomb", """
                (module (memory 1)
                  (func (export "run") (result i32)
                    (loop $grow
                      (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
                    unreachable))""");
        Run run = graft("call", bomb.toString(), "run", "--max-memory", "1MiB");
        assertEquals(6, run.code(), run.stderr());
        assertTrue(run.stderr().contains("max-memory limit of 1048576 bytes"), run.stderr());
    }

    @Test
    void refusalsAtLoadExitTwo() throws Exception {
        Path garbage = dir.resolve("garbage.wasm");
        Files.write(garbage, new byte[] {1, 2, 3, 4});
        assertEquals(2, graft("call", garbage.toString(), "run").code());
        assertEquals(2, graft("call", HELLO, "echo", "--sha256", "0".repeat(64)).code());
        Path clock = wat("clock", """
                (module (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))
                  (func (export "run") (result i32) (i32.const 0)))""");
        Run run = graft("call", clock.toString(), "run");
        assertEquals(2, run.code());
        assertTrue(run.stderr().contains("capability 'wasi'"), run.stderr());
    }

    @Test
    void capabilityDeniedExitsSeven() throws Exception {
        Path clock = wat("clock", """
                (module (import "wasi_snapshot_preview1" "clock_time_get" (func $now (param i32 i64 i32) (result i32)))
                  (memory 1)
                  (func (export "run") (result i32) (call $now (i32.const 0) (i64.const 0) (i32.const 0))))""");
        Run run = graft("call", clock.toString(), "run", "--wasi");
        assertEquals(7, run.code(), run.stderr());
        assertTrue(run.stderr().contains("wasi:clock"), run.stderr());
        assertEquals(0, graft("call", clock.toString(), "run", "--wasi", "--allow-clock").code());
    }

    @Test
    void payloadTooLargeExitsEight() {
        Run run = graft("call", HELLO, "echo", "--input", "0123456789", "--max-input", "4");
        assertEquals(8, run.code());
        assertTrue(run.stderr().contains("max-input-bytes limit of 4 bytes"), run.stderr());
    }

    @Test
    void usageErrorsExitSixtyFour() {
        assertEquals(64, graft("call", HELLO).code());
        assertEquals(64, graft("call", HELLO, "echo", "--max-memory", "lots").code());
        assertEquals(64, graft("call", HELLO, "echo", "--input", "a", "--input-file", "b").code());
        assertEquals(64, graft("nonsense").code());
    }

    @Test
    void runExecutesAWasiCommandWithArguments() {
        String cli = "../sample-plugins/fractal-tree/fractal-tree-cli.wasm";
        Run run = graft("run", cli, "Hello WASM", "2", "100");
        assertEquals(0, run.code(), run.stderr());
        assertTrue(run.out().startsWith("<svg") && run.out().contains("<path"), run.out());
        // A range error goes to stderr, which is a capability of its own.
        assertEquals(7, graft("run", cli, "Hello WASM", "0").code());
        Run refused = graft("run", cli, "Hello WASM", "0", "--allow-stdout");
        assertEquals(3, refused.code());
        assertTrue(refused.stderr().contains("exited with code 2"), refused.stderr());
        // An Extism plugin is not a command.
        assertEquals(3, graft("run", HELLO).code());
    }

    @Test
    void compileFillsThePersistentCache() throws Exception {
        Path cache = dir.resolve("cache");
        Run run = graft("compile", HELLO, "--cache-dir", cache.toString());
        assertEquals(0, run.code(), run.stderr());
        try (var files = Files.list(cache)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".classes")));
        }
        Run call = graft("call", HELLO, "echo", "--input", "cached", "--cache-dir", cache.toString());
        assertEquals("cached", call.out());
    }

    @Test
    void compileWritesClasspathEntriesThatAHostFindsOnItsClasspath() throws Exception {
        Path classes = dir.resolve("classes");
        Run run = graft("compile", HELLO, "--classpath-output", classes.toString());
        assertEquals(0, run.code(), run.stderr());
        assertTrue(run.stderr().contains("META-INF"), run.stderr());
        try (var loader = new java.net.URLClassLoader(new java.net.URL[] {classes.toUri().toURL()}, null)) {
            var engine = dev.graft.host.engine.GraftEngine.builder().classpathCompileCache(loader).build();
            var compiled = engine.compile("hello", Files.readAllBytes(Path.of(HELLO)),
                    dev.graft.api.policy.ExecutionMode.TIERED, dev.graft.api.policy.PluginPolicy.defaults().fuelCosts());
            assertTrue(compiled.fromClasspathCache(), compiled.toString());
            assertEquals(dev.graft.api.policy.ExecutionMode.COMPILED, compiled.tier());
        }
    }

    @Test
    void compileWritesAClasspathEntryForEachCoreModuleOfAComponent() throws Exception {
        Path classes = dir.resolve("classes");
        Run run = graft("compile", PRICING_RUST, "--classpath-output", classes.toString());
        assertEquals(0, run.code(), run.stderr());
        byte[] component = Files.readAllBytes(Path.of(PRICING_RUST));
        var coreModules = dev.graft.host.component.ComponentParser.parse("pricing-rust", component).coreModules();
        try (var entries = Files.list(classes.resolve("META-INF/graft/compiled"))) {
            assertEquals(coreModules.size(), entries.count(), run.stderr());
        }
        try (var loader = new java.net.URLClassLoader(new java.net.URL[] {classes.toUri().toURL()}, null)) {
            var engine = dev.graft.host.engine.GraftEngine.builder().classpathCompileCache(loader).build();
            var plugin = engine.load(dev.graft.host.engine.PluginSpec.builder(
                    dev.graft.host.source.PluginSource.ofFile(Path.of(PRICING_RUST))).build());
            assertTrue(plugin.isComponent());
            assertEquals(dev.graft.api.policy.ExecutionMode.COMPILED, plugin.executionTier(), "tiered, compiled at once");
            for (byte[] core : coreModules) {
                var compiled = engine.compile("pricing-rust", core, dev.graft.api.policy.ExecutionMode.TIERED,
                        dev.graft.api.policy.PluginPolicy.defaults().fuelCosts());
                assertTrue(compiled.fromClasspathCache(), compiled.toString());
            }
        }
    }

    @Test
    void compileFillsThePersistentCacheForAComponent() throws Exception {
        Path cache = dir.resolve("cache");
        Run run = graft("compile", PRICING_RUST, "--cache-dir", cache.toString());
        assertEquals(0, run.code(), run.stderr());
        assertTrue(run.stderr().contains("a component of 1 core module"), run.stderr());
        List<String> written = cacheFiles(cache);
        assertTrue(written.stream().anyMatch(f -> f.endsWith(".classes")), written.toString());
        // Loading the component with the folder finds every class it needs there: a miss would add files.
        var engine = dev.graft.host.engine.GraftEngine.withCompileCache(cache);
        var plugin = engine.load(dev.graft.host.engine.PluginSpec.builder(
                dev.graft.host.source.PluginSource.ofFile(Path.of(PRICING_RUST)))
                .policy(dev.graft.api.policy.PluginPolicy.defaults().toBuilder()
                        .mode(dev.graft.api.policy.ExecutionMode.COMPILED).build()).build());
        assertEquals(dev.graft.api.policy.ExecutionMode.COMPILED, plugin.executionTier());
        assertEquals(written, cacheFiles(cache), "the load wrote nothing new into the cache folder");
    }

    private static List<String> cacheFiles(Path cache) throws java.io.IOException {
        try (var files = Files.list(cache)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    static final String KERNEL_WAT = """
            (module
              (import "extism:host/env" "input_length" (func $input_length (result i64)))
              (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
              (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
              (import "extism:host/env" "free" (func $free (param i64)))
              (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
              (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
              (import "extism:host/env" "log_info" (func $log_info (param i64)))
              (func (export "late_echo") (result i32)
                (local $n i64) (local $blk i64) (local $i i64)
                (local.set $n (call $input_length))
                (local.set $blk (call $alloc (local.get $n)))
                (call $output_set (local.get $blk) (local.get $n))
                (block $done (loop $copy
                  (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
                  (call $store_u8 (i64.add (local.get $blk) (local.get $i)) (call $input_load_u8 (local.get $i)))
                  (local.set $i (i64.add (local.get $i) (i64.const 1)))
                  (br $copy)))
                (i32.const 0))
              (func (export "past_the_end") (result i32)
                (call $output_set (call $alloc (i64.const 8)) (i64.const 65536))
                (i32.const 0))
              (func (export "churn") (result i32)
                (local $i i32) (local $big i64) (local $small i64)
                (block $done (loop $more
                  (br_if $done (i32.ge_u (local.get $i) (i32.const 2000)))
                  (local.set $big (call $alloc (i64.const 65536)))
                  (local.set $small (call $alloc (i64.const 16)))
                  (call $free (local.get $big))
                  (call $free (local.get $small))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $more)))
                (i32.const 0))
              (func (export "log_flood") (result i32)
                (local $line i64) (local $i i32)
                (local.set $line (call $alloc (i64.const 1048576)))
                (block $done (loop $more
                  (br_if $done (i32.ge_u (local.get $i) (i32.const 100)))
                  (call $log_info (local.get $line))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $more)))
                (i32.const 0)))
            """;

    @Test
    void extismKernelSemanticsThroughTheCommandLine() throws Exception {
        Path kernel = wat("kernel", KERNEL_WAT);
        Run late = graft("call", kernel.toString(), "late_echo", "--input", "set first, written after");
        assertEquals(0, late.code(), late.stderr());
        assertEquals("set first, written after", late.out());

        Run past = graft("call", kernel.toString(), "past_the_end");
        assertEquals(3, past.code(), past.stderr());
        assertTrue(past.stderr().contains("outside the kernel's blocks"), past.stderr());
        assertTrue(!past.stderr().contains("\tat ") && !past.stderr().contains("Exception in"), "no stack trace: " + past.stderr());
        assertEquals(0, past.stdout().length, "nothing was read");

        // 2,000 rounds of 64 KiB under a 1 MiB cap: only reuse of freed blocks lets this finish.
        Run churn = graft("call", kernel.toString(), "churn", "--max-memory", "1MiB");
        assertEquals(0, churn.code(), churn.stderr());

        Run flood = graft("call", kernel.toString(), "log_flood", "--max-log", "8KiB");
        assertEquals(0, flood.code(), flood.stderr());
        assertEquals(64, graft("call", kernel.toString(), "log_flood", "--max-log", "0").code(), "a zero budget is a usage error");
    }

    // Memory account and metering (issue 17): exit codes, no JVM stack trace.

    @Test
    void tableBombExitsSixNamingMaxMemory() throws Exception {
        Path bomb = wat("table-bomb", """
                (module (table $t 1 funcref)
                  (func (export "run") (result i32)
                    (loop $grow
                      (br_if $grow (i32.ne (table.grow $t (ref.null func) (i32.const 10000)) (i32.const -1))))
                    unreachable))""");
        Run run = graft("call", bomb.toString(), "run", "--max-memory", "1MiB");
        assertEquals(6, run.code(), run.stderr());
        assertTrue(run.stderr().contains("max-memory limit of 1048576 bytes"), run.stderr());
        assertTrue(!run.stderr().contains("\tat ") && !run.stderr().contains("Error:"), run.stderr());
    }

    @Test
    void bulkMemoryOverflowExitsThreeAsOutOfBounds() throws Exception {
        Path fill = wat("fill", """
                (module (memory 1)
                  (func (export "run") (result i32)
                    (memory.fill (i32.const 0x100) (i32.const 0) (i32.const 0x7fffffff)) (i32.const 0)))""");
        // Unmetered, and metered with a budget that pays the 2^31 - 1 bulk bytes; compiled and interpreted.
        for (String[] mode : new String[][] {{"--fuel=0"}, {"--fuel=0", "--interpreted"}, {"--fuel=5000000000"},
                {"--fuel=5000000000", "--interpreted"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("call", fill.toString(), "run"));
            args.addAll(List.of(mode));
            Run run = graft(args.toArray(String[]::new));
            assertEquals(3, run.code(), run.stderr());
            assertTrue(run.stderr().contains("out of bounds memory access"), run.stderr());
            assertTrue(!run.stderr().contains("NullPointerException") && !run.stderr().contains("\tat "), run.stderr());
        }
    }

    @Test
    void anInvalidModuleWritingGraftsFuelReserveExitsTwo() throws Exception {
        // No globals of its own, writes global 1 in a loop; metered, global 1 would be the fuel reserve.
        byte[] wasm = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
                0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F, // type () -> i32
                0x03, 0x02, 0x01, 0x00, // one function
                0x07, 0x07, 0x01, 0x03, 'r', 'u', 'n', 0x00, 0x00, // export "run"
                0x0A, 0x17, 0x01, 0x15, 0x00, 0x03, 0x40, // code: loop
                0x42, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, 0x3F, // i64.const 2^62 - 1
                0x24, 0x01, 0x0C, 0x00, 0x0B, 0x41, 0x00, 0x0B}; // global.set 1, br 0, end, i32.const 0, end
        Path file = dir.resolve("global-one.wasm");
        Files.write(file, wasm);
        Run run = graft("call", file.toString(), "run", "--fuel", "1000000");
        assertEquals(2, run.code(), run.stderr());
        assertTrue(run.stderr().contains("not a valid Wasm module"), run.stderr());
    }
}
