package dev.graft.host.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginException;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.PluginTrapException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.CallOutcome;
import dev.graft.host.engine.CallStats;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Metering must not change what a module is: invalid modules stay invalid (validated before they are
 * rewritten), tail calls stay tail calls, the consumed fuel after a trap is right whatever the budget,
 * and an exception-tag import is refused by name, as it is unmetered.
 */
class HostileMeteringTest extends HostileTestBase {

    private static final Map<String, byte[]> WASM = new ConcurrentHashMap<>();

    static byte[] wat(String text) {
        return WASM.computeIfAbsent(text, Wat2Wasm::parse).clone();
    }

    static PluginPolicy.Builder policy(ExecutionMode mode, long fuel) {
        return PluginPolicy.builder().mode(mode).fuel(fuel).timeout(Duration.ofSeconds(3));
    }

    // ---- validate first, then meter --------------------------------------------------------------

    /**
     * A module without globals whose export writes {@code global 1} in a loop: invalid as written.
     * Metered, global 1 would be Graft's fuel reserve, refilled with 2^62 - 1 on every iteration: the
     * loop ran on past a 1,000,000 fuel budget until the timeout stopped it.
     */
    static byte[] writesGlobalOne() {
        return WasmBytes.module()
                .section(1, 1, 0x60, 0, 1, 0x7F) // type 0: () -> i32
                .section(3, 1, 0)
                .section(7, WasmBytes.exportFunction("run", 0))
                .section(10, WasmBytes.concat(new int[] {1}, WasmBytes.body(0,
                        0x03, 0x40, // loop
                        0x42, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F, // i64.const 2^62 - 1
                        0x24, 0x01, // global.set 1
                        0x0C, 0x00, // br 0
                        0x0B,
                        0x41, 0x00,
                        0x0B)))
                .bytes();
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void anInvalidModuleCannotNameGraftsFuelReserveAfterMetering(ExecutionMode mode) {
        long start = System.nanoTime();
        assertRefusal(PluginLoadException.class, "hostile-global-one",
                () -> ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("hostile-global-one", writesGlobalOne()))
                        .policy(policy(mode, 1_000_000).build()).build()),
                "not a valid Wasm module", "global");
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "refused within 5 s");
        // Unmetered, Chicory refuses it as well.
        assertRefusal(PluginLoadException.class, "hostile-global-one",
                () -> ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("hostile-global-one", writesGlobalOne()))
                        .policy(policy(mode, 0).build()).build()),
                "not a valid Wasm module");
    }

    // ---- tail calls ---------------------------------------------------------------------------------

    /**
     * Tail calls (the bundled wat2wasm has no tail-call proposal, so assembled by hand): {@code self}
     * makes 1,000,000 self tail calls, {@code mutual} 1,000,000 tail calls between two functions,
     * {@code scratch} 500 self tail calls of a function that also calls an i32 function (metered, it
     * needs a scratch local to unpack that result, so its self tail calls are lowered, see
     * FunctionRewriter.rewrite).
     */
    static byte[] tailCalls() {
        int[] million = {0x41, 0xC0, 0x84, 0x3D}; // i32.const 1000000
        return WasmBytes.module()
                .section(1, 4, 0x60, 1, 0x7F, 1, 0x7F, // 0: (i32) -> i32
                        0x60, 0, 1, 0x7F, // 1: () -> i32
                        0x60, 2, 0x7F, 0x7E, 1, 0x7E, // 2: (i32, i64) -> i64
                        0x60, 1, 0x7F, 0) // 3: (i32) -> ()
                .section(3, 12, 0, 0, 0, 1, 1, 0, 0, 1, 2, 1, 3, 1)
                .section(7, WasmBytes.concat(new int[] {5}, WasmBytes.nameBytes("self"), new int[] {0, 3},
                        WasmBytes.nameBytes("mutual"), new int[] {0, 4}, WasmBytes.nameBytes("scratch"), new int[] {0, 7},
                        WasmBytes.nameBytes("sum64"), new int[] {0, 9}, WasmBytes.nameBytes("alone"), new int[] {0, 11}))
                .section(10, WasmBytes.concat(new int[] {12},
                        // 0 count(n): n == 0 ? 0 : return_call count(n - 1)
                        WasmBytes.body(0, 0x20, 0, 0x45, 0x04, 0x7F, 0x41, 0, 0x05,
                                0x20, 0, 0x41, 1, 0x6B, 0x12, 0, 0x0B, 0x0B),
                        // 1 even(n): n == 0 ? 0 : return_call odd(n - 1)
                        WasmBytes.body(0, 0x20, 0, 0x45, 0x04, 0x7F, 0x41, 0, 0x05,
                                0x20, 0, 0x41, 1, 0x6B, 0x12, 2, 0x0B, 0x0B),
                        // 2 odd(n): n == 0 ? 1 : return_call even(n - 1)
                        WasmBytes.body(0, 0x20, 0, 0x45, 0x04, 0x7F, 0x41, 1, 0x05,
                                0x20, 0, 0x41, 1, 0x6B, 0x12, 1, 0x0B, 0x0B),
                        // 3 self() = count(1000000)
                        WasmBytes.body(WasmBytes.concat(new int[] {0}, million, new int[] {0x10, 0, 0x0B})),
                        // 4 mutual() = even(1000000)
                        WasmBytes.body(WasmBytes.concat(new int[] {0}, million, new int[] {0x10, 1, 0x0B})),
                        // 5 id(n) = n
                        WasmBytes.body(0, 0x20, 0, 0x0B),
                        // 6 count2(n): n == 0 ? 0 : return_call count2(id(n) - 1)
                        WasmBytes.body(0, 0x20, 0, 0x45, 0x04, 0x7F, 0x41, 0, 0x05,
                                0x20, 0, 0x10, 5, 0x41, 1, 0x6B, 0x12, 6, 0x0B, 0x0B),
                        // 7 scratch() = count2(500)
                        WasmBytes.body(0, 0x41, 0xF4, 0x03, 0x10, 6, 0x0B),
                        // 8 sum(n, acc): n == 0 ? acc : return_call sum(n - 1, acc + n), an i64 result (fuel
                        //   returned through the global)
                        WasmBytes.body(0, 0x20, 0, 0x45, 0x04, 0x7E, 0x20, 1, 0x05,
                                0x20, 0, 0x41, 1, 0x6B, 0x20, 1, 0x20, 0, 0xAD, 0x7C, 0x12, 8, 0x0B, 0x0B),
                        // 9 sum64() = sum(1000000, 0) != 500000500000
                        WasmBytes.body(WasmBytes.concat(new int[] {0}, million, new int[] {0x42, 0, 0x10, 8,
                                0x42, 0xA0, 0xD2, 0xE8, 0xD2, 0xC6, 0x0E, 0x52, 0x0B})),
                        // 10 down(n): no results (the fuel is the only result); n != 0 -> return_call down(n - 1)
                        WasmBytes.body(0, 0x20, 0, 0x04, 0x40, 0x20, 0, 0x41, 1, 0x6B, 0x12, 10, 0x0B, 0x0B),
                        // 11 alone() = down(1000000); 0
                        WasmBytes.body(WasmBytes.concat(new int[] {0}, million, new int[] {0x10, 10, 0x41, 0, 0x0B}))))
                .bytes();
    }

    static final String[] TAIL_EXPORTS = {"self", "mutual", "scratch", "sum64", "alone"};

    static String outcome(Plugin plugin, String export) {
        try {
            plugin.call(export, new byte[0]);
            return "ok";
        } catch (PluginTrapException e) {
            return "trap: " + (e.getMessage().contains("call stack exhausted") ? "call stack exhausted" : e.getMessage());
        } catch (PluginException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /**
     * Chicory's interpreter runs tail calls in constant stack, its compiler turns them into call +
     * return (stack exhausted at some thousand frames, metered or not). Metered, each mode must end
     * as it does unmetered; interpreted, that means a million tail calls run.
     */
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void deepTailRecursionRunsMeteredAsItDoesUnmetered(ExecutionMode mode) {
        Plugin plain = ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("tail-plain", tailCalls()))
                .policy(policy(mode, 0).timeout(Duration.ofSeconds(20)).build()).build());
        Plugin metered = ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("tail-metered", tailCalls()))
                .policy(policy(mode, 100_000_000).timeout(Duration.ofSeconds(20)).build()).build());
        try {
            for (String export : TAIL_EXPORTS) {
                String expected = outcome(plain, export);
                if (mode == ExecutionMode.INTERPRETED || export.equals("scratch")) {
                    assertEquals("ok", expected, "Chicory's interpreter runs " + export + " tail calls in constant stack");
                }
                assertEquals(expected, outcome(metered, export), export + " metered in " + mode);
            }
        } finally {
            plain.close();
            metered.close();
        }
    }

    /** Tail calls are charged and checked like calls: a tail recursion cannot run past its budget. */
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void tailRecursionStopsAtItsFuelBudget(ExecutionMode mode) {
        // 10,000 units last about 1,400 tail calls: fewer frames than compiled mode's stack holds.
        Plugin metered = ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("hostile-tail-fuel", tailCalls()))
                .policy(policy(mode, 10_000).build()).build());
        try {
            for (String export : TAIL_EXPORTS) {
                if (!export.equals("scratch")) {
                    assertRefusal(PluginFuelExhaustedException.class, "hostile-tail-fuel",
                            () -> metered.call(export, new byte[0]), "10000");
                }
            }
        } finally {
            metered.close();
        }
    }

    // ---- consumed fuel after a trap -------------------------------------------------------------------

    static final String TRAPS = """
            (module
              (import "extism:host/user" "explode" (func $explode (param i64) (result i64)))
              (memory 1)
              (func $deep (param i32) (result i32) (i32.add (call $deep (local.get 0)) (i32.const 1)))
              (func $work (result i32)
                (local $i i32)
                (loop $l
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
                (local.get $i))
              (func (export "unreachable") (result i32) (drop (call $work)) unreachable)
              (func (export "out_of_bounds") (result i32) (drop (call $work)) (i32.load (i32.const 70000)))
              (func (export "div_by_zero") (result i32) (i32.div_u (call $work) (i32.const 0)))
              (func (export "stack") (result i32) (drop (call $work)) (call $deep (i32.const 0)))
              (func (export "host_failure") (result i32) (drop (call $work)) (drop (call $explode (i64.const 0))) (i32.const 0))
              (func (export "fuel") (result i32)
                ;; each iteration fills a page: a large bulk charge per iteration exhausts any budget fast
                (loop $l (memory.fill (i32.const 0) (i32.const 0) (i32.const 65536)) (br $l))
                (i32.const 0)))
            """;

    @ParameterizedTest
    @ValueSource(strings = {"unreachable", "out_of_bounds", "div_by_zero", "stack", "host_failure", "fuel"})
    void consumedFuelAfterATrapIsRightWhateverTheBudget(String export) {
        for (ExecutionMode mode : ExecutionMode.values()) {
            long small = consumedAfterFailure(export, mode, 1_000_000L);
            long large = consumedAfterFailure(export, mode, 5_000_000_000L);
            if (export.equals("fuel")) {
                // Exhaustion: more than the budget, by at most the overshoot of the last charge.
                assertTrue(small > 1_000_000L && small < 1_000_000L + 70_000_000L, mode + " small: " + small);
                assertTrue(large > 5_000_000_000L && large < 5_000_000_000L + 70_000_000L, mode + " large: " + large);
            } else {
                assertTrue(small >= 0 && small <= 1_000_000L, mode + " " + export + " consumed " + small);
                assertEquals(small, large, mode + " " + export + ": consumed must not depend on the budget");
                if (export.equals("host_failure")) {
                    // The counter was written out before the host call: $work's 100 iterations and more.
                    assertTrue(small > 800, mode + " host_failure consumed " + small);
                }
            }
        }
    }

    /** The fuel the listener sees consumed by a call of {@code export} that fails. */
    static long consumedAfterFailure(String export, ExecutionMode mode, long budget) {
        GraftEngine engine = GraftEngine.create();
        AtomicReference<CallStats> seen = new AtomicReference<>();
        AtomicReference<CallOutcome> how = new AtomicReference<>();
        engine.addCallListener((id, ex, outcome, stats, failure) -> {
            seen.set(stats);
            how.set(outcome);
        });
        // The bulk charge per byte is high so the fuel case exhausts 5e9 within a few hundred fills.
        CostModel costs = CostModel.defaults().toBuilder().bulkMemoryPerByte(1000).build();
        Plugin p = engine.load(PluginSpec.builder(PluginSource.ofBytes("trap-fuel", wat(TRAPS)))
                .policy(policy(mode, budget).fuelCosts(costs).timeout(Duration.ofSeconds(20))
                        .capabilities(Capabilities.builder().hostFunction("explode").build()).build())
                .hostFunction("explode", (plugin, in) -> {
                    throw new IllegalStateException("boom");
                })
                .build());
        try {
            PluginException e = null;
            try {
                p.call(export, new byte[0]);
            } catch (PluginException thrown) {
                e = thrown;
            }
            assertTrue(e != null, export + " must fail");
            Class<?> expected = export.equals("fuel") ? PluginFuelExhaustedException.class
                    : export.equals("host_failure") ? PluginCallException.class : PluginTrapException.class;
            assertSameType(expected, e);
            assertTrue(how.get() != CallOutcome.OK, export);
            return seen.get().fuelConsumed();
        } finally {
            p.close();
        }
    }

    // ---- exception tags -------------------------------------------------------------------------------

    /** Imports tag "env"."oops" (the bundled wat2wasm has no exception handling, so assembled by hand). */
    static byte[] importsATag() {
        return WasmBytes.module()
                .section(1, 2, 0x60, 1, 0x7F, 0, 0x60, 0, 1, 0x7F) // type 0: (i32) -> (), type 1: () -> i32
                .section(2, WasmBytes.concat(new int[] {1}, WasmBytes.nameBytes("env"), WasmBytes.nameBytes("oops"),
                        new int[] {0x04, 0x00, 0x00})) // tag, attribute 0, type 0
                .section(3, 1, 1)
                .section(7, WasmBytes.exportFunction("run", 0))
                .section(10, WasmBytes.concat(new int[] {1}, WasmBytes.body(0, 0x41, 0x00, 0x0B)))
                .bytes();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1_000_000})
    void anExceptionTagImportIsRefusedByNameMeteredOrNot(long fuel) {
        assertRefusal(PluginLoadException.class, "hostile-tag",
                () -> ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("hostile-tag", importsATag()))
                        .policy(policy(ExecutionMode.COMPILED, fuel).build()).build()),
                "import 'env.oops'", "tag");
    }
}
