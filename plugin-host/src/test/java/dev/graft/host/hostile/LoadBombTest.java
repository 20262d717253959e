package dev.graft.host.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.LoadLimits;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Modules that declare huge sizes, or cost the compiler minutes, refused by the load budget before
 * they cost the host its heap or its cores. Runs in its own JVM with {@code -Xmx256m} (see the
 * {@code load-bombs} execution in plugin-host/pom.xml): before the load budget, the first three
 * ended that JVM with {@link OutOfMemoryError}. Every refusal must come within 5 s, and a healthy
 * plugin must load and answer afterwards.
 */
class LoadBombTest extends HostileTestBase {

    private static final long REFUSED_WITHIN_MS = 5_000;
    private static final AtomicInteger FRESH = new AtomicInteger();

    static Plugin load(String id, byte[] bytes, PluginPolicy policy) {
        return ENGINE.load(PluginSpec.builder(PluginSource.ofBytes(id, bytes)).policy(policy).build());
    }

    /** Refused with exactly PluginLoadException naming the plugin and {@code mentions}, within 5 s. */
    static PluginLoadException assertRefusedQuickly(String id, Executable load, String... mentions) {
        long start = System.nanoTime();
        PluginLoadException e = assertRefusal(PluginLoadException.class, id, load, mentions);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs < REFUSED_WITHIN_MS, id + " refused after " + elapsedMs + " ms: " + e.getMessage());
        assertNextPluginLoadsAndAnswers();
        return e;
    }

    /** A new healthy plugin (new id, same engine) loads and echoes. */
    static void assertNextPluginLoadsAndAnswers() {
        String id = "next-" + FRESH.incrementAndGet();
        try (Plugin next = ENGINE.load(PluginSpec.builder(Fixtures.source(id, "healthy")).build())) {
            byte[] input = ("after the bomb " + id).getBytes();
            assertArrayEquals(input, next.call("echo", input).output());
        }
    }

    @Test
    void manyLocalsSpreadOverManyEntriesAreRefused() {
        // 1,000 entries of 50,000 i32 locals: each entry passes Chicory's per-entry check, the sum is 50 million.
        byte[] bomb = LoadBombs.localsPerFunction(1000, 50_000);
        assertTrue(bomb.length < 5000, bomb.length + " bytes");
        assertRefusedQuickly("bomb-locals", () -> load("bomb-locals", bomb, PluginPolicy.defaults()),
                "load-limits.max-locals-per-function = 50,000", "function 0 declares 50,000,000 locals",
                "1,000 entries");
    }

    @Test
    void manyLocalsOverManyFunctionsAreRefusedByTheTotal() {
        // 1,000 functions of 40,000 locals each: every function is under the per-function limit.
        byte[] bomb = LoadBombs.localsTotal(1000, 40_000);
        assertRefusedQuickly("bomb-locals-total", () -> load("bomb-locals-total", bomb, PluginPolicy.defaults()),
                "load-limits.max-locals-total = 2,000,000", "declare 40,000,000 locals together");
    }

    @Test
    void dataSegmentClaimingMoreThanTheFileHoldsIsRefusedAsMalformed() {
        byte[] bomb = LoadBombs.dataClaim(0x7FFF_FFF0L);
        assertTrue(bomb.length < 64, bomb.length + " bytes");
        assertRefusedQuickly("bomb-data", () -> load("bomb-data", bomb, PluginPolicy.defaults()),
                "not a valid Wasm module", "data segment 0 declares 2,147,483,632 bytes",
                "its section holds only 4 more");
    }

    @Test
    void hugeNameSectionInDescendingOrderIsStrippedUnparsed() {
        // 300,000 names in descending order: Chicory's name-section parser took seconds for this.
        byte[] names = LoadBombs.descendingNames(300_000);
        long start = System.nanoTime();
        try (Plugin plugin = load("bomb-names", names, PluginPolicy.builder().mode(ExecutionMode.INTERPRETED).build())) {
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs < REFUSED_WITHIN_MS, "loaded after " + elapsedMs + " ms");
            assertFalse(plugin.exports().contains("name"));
        }
        // The same bytes under a smaller custom-section budget.
        LoadLimits small = LoadLimits.builder().maxCustomSectionBytes(1024 * 1024).build();
        assertRefusedQuickly("bomb-names-small", () -> load("bomb-names-small", names,
                        PluginPolicy.builder().loadLimits(small).build()),
                "load-limits.max-custom-section-bytes = 1,048,576", "1 custom sections take " + String.format("%,d",
                        names.length - 24));
    }

    @Test
    void manyFunctionsAreRefused() {
        byte[] bomb = LoadBombs.manyFunctions(200_000);
        assertRefusedQuickly("bomb-functions", () -> load("bomb-functions", bomb, PluginPolicy.defaults()),
                "load-limits.max-functions = 100,000", "declares 200,000 functions");
    }

    /** Counts of 4 billion entries in sections of a few bytes: refused as malformed before anything is built. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 6, 7})
    void countsLargerThanTheirSectionAreRefusedAsMalformed(int section) {
        String id = "bomb-count-" + section;
        byte[] bomb = LoadBombs.hugeCount(section);
        assertRefusedQuickly(id, () -> load(id, bomb, PluginPolicy.builder().fuel(0).build()),
                "not a valid Wasm module", "declares 4,294,967,295");
    }

    @Test
    void hugeParameterCountAndElementCountAreRefusedUnmetered() {
        // Unmetered, nothing but Chicory read these before: it allocated the declared capacity and died.
        PluginPolicy unmetered = PluginPolicy.builder().fuel(0).build();
        assertRefusedQuickly("bomb-params", () -> load("bomb-params", LoadBombs.hugeParamCount(), unmetered),
                "not a valid Wasm module", "declares 2,147,483,647 parameter entries");
        assertRefusedQuickly("bomb-elements", () -> load("bomb-elements", LoadBombs.hugeElementCount(), unmetered),
                "not a valid Wasm module", "declares 2,147,483,647 element entries");
    }

    @Test
    void hugeTableIsRefused() {
        assertRefusedQuickly("bomb-table", () -> load("bomb-table", LoadBombs.hugeCount(4), PluginPolicy.defaults()),
                "load-limits.max-table-entries = 1,000,000", "declare 2,147,483,647 initial entries");
    }

    @Test
    void declaredCountsOverTheirLimitsAreRefused() {
        // The healthy fixture within limits set just below its own figures.
        byte[] healthy = Fixtures.wasm("healthy");
        PluginPolicy.Builder policy = PluginPolicy.builder();
        assertRefusedQuickly("limit-exports", () -> load("limit-exports", healthy,
                policy.loadLimits(LoadLimits.builder().maxExports(1).build()).build()),
                "load-limits.max-exports = 1", "declares");
        assertRefusedQuickly("limit-imports", () -> load("limit-imports", healthy,
                policy.loadLimits(LoadLimits.builder().maxImports(0).build()).build()),
                "load-limits.max-imports = 0", "imports");
        assertRefusedQuickly("limit-types", () -> load("limit-types", healthy,
                policy.loadLimits(LoadLimits.builder().maxTypes(0).build()).build()),
                "load-limits.max-types = 0", "types");
        byte[] globals = WasmBytes.module().section(6, globals(20)).bytes();
        assertRefusedQuickly("limit-globals", () -> load("limit-globals", globals,
                policy.loadLimits(LoadLimits.builder().maxGlobals(10).build()).build()),
                "load-limits.max-globals = 10", "declares 20 globals");
        assertRefusedQuickly("limit-elements", () -> load("limit-elements", elements(5000),
                policy.loadLimits(LoadLimits.builder().maxElementEntries(4096).build()).build()),
                "load-limits.max-element-entries = 4,096", "declare 5,000 entries");
    }

    static WasmBytes globals(int count) {
        WasmBytes g = WasmBytes.content().u32(count);
        for (int i = 0; i < count; i++) {
            g.raw(0x7F, 0, 0x41, 0, 0x0B); // i32 const, i32.const 0
        }
        return g;
    }

    /** A function, a table of {@code count} entries and one element segment filling it with that function. */
    static byte[] elements(int count) {
        WasmBytes segment = WasmBytes.content().u32(1).raw(0).raw(0x41, 0, 0x0B).u32(count);
        for (int i = 0; i < count; i++) {
            segment.raw(0);
        }
        return WasmBytes.module().section(1, WasmBytes.voidType()).section(3, WasmBytes.functions(1))
                .section(4, WasmBytes.content().u32(1).raw(0x70, 0).u32(count))
                .section(9, segment).section(10, WasmBytes.content().u32(1).u32(2).raw(0, 0x0B)).bytes();
    }

    @Test
    void compileBombOfFunctionsOverTheJvmMethodLimitIsRefusedByTheHugeFunctionLimit() {
        // 40 functions of 60 KB of i32.load each: Chicory compiled this for ~19 s, starting over for every one.
        byte[] bomb = LoadBombs.compileBomb(40);
        assertRefusedQuickly("bomb-compile", () -> load("bomb-compile", bomb, PluginPolicy.defaults()),
                "load-limits.max-huge-functions = 16", "has 40 functions of 32,768 bytes or more");
    }

    @Test
    void compileBombIsStoppedByTheCompileTimeout() throws InterruptedException {
        byte[] bomb = LoadBombs.compileBomb(40);
        LoadLimits limits = LoadLimits.builder().maxHugeFunctions(1000).compileTimeout(Duration.ofSeconds(1)).build();
        PluginLoadException e = assertRefusedQuickly("bomb-compile-time", () -> load("bomb-compile-time", bomb,
                        PluginPolicy.builder().mode(ExecutionMode.COMPILED).fuel(0).loadLimits(limits).build()),
                "load-limits.compile-timeout = PT1S", "took more than 1,000 ms");
        assertTrue(e.getMessage().contains("metering, parsing and compiling"), e.getMessage());
        // The abandoned compile is stopped, not left running on the host's cores.
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (compileThreadAlive("bomb-compile-time") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (Runtime.version().feature() < 20) {
            assertFalse(compileThreadAlive("bomb-compile-time"), "the compile thread still runs");
        }
    }

    /**
     * Tiered, the load does not wait for the compile: the bomb loads and runs interpreted, and its
     * background compile meets the same compile timeout, is stopped, and leaves it interpreted.
     */
    @Test
    void compileBombInTieredModeLoadsInterpretedAndItsBackgroundCompileIsStopped() throws InterruptedException {
        byte[] bomb = LoadBombs.compileBomb(40);
        // 4 s: long enough for metering and parsing on a loaded 2-core machine (1 s was not), far short of the
        // compile's ~19 s, which the deadline must stop.
        LoadLimits limits = LoadLimits.builder().maxHugeFunctions(1000).compileTimeout(Duration.ofSeconds(4)).build();
        GraftEngine engine = GraftEngine.create();
        long start = System.nanoTime();
        Plugin plugin = engine.load(PluginSpec.builder(PluginSource.ofBytes("bomb-tiered", bomb))
                .policy(PluginPolicy.builder().fuel(0).loadLimits(limits).build()).build());
        assertTrue((System.nanoTime() - start) / 1_000_000 < REFUSED_WITHIN_MS, "the load waited for the compile");
        assertEquals(ExecutionMode.INTERPRETED, plugin.executionTier());
        long deadline = System.nanoTime() + 10_000_000_000L;
        boolean seen = false;
        while (System.nanoTime() < deadline) {
            boolean alive = compileThreadAlive("bomb-tiered");
            seen |= alive;
            if (seen && !alive) {
                break;
            }
            Thread.sleep(20);
        }
        assertTrue(seen, "the background compile ran under the compile deadline");
        if (Runtime.version().feature() < 20) {
            assertFalse(compileThreadAlive("bomb-tiered"), "the background compile still runs");
        }
        assertEquals(ExecutionMode.INTERPRETED, plugin.executionTier(), "a failed compile leaves the plugin interpreted");
        plugin.close();
        assertNextPluginLoadsAndAnswers();
    }

    static boolean compileThreadAlive(String pluginId) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("graft-load-" + pluginId));
    }
}
