package dev.graft.host.metering;

import dev.graft.api.policy.CostModel;
import static dev.graft.host.metering.Metered.call;
import static dev.graft.host.metering.Metered.fuel;
import static dev.graft.host.metering.Metered.instantiate;
import static dev.graft.host.metering.Metered.meter;
import static dev.graft.host.metering.Metered.referenceCount;
import static dev.graft.host.metering.Metered.wat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportGlobal;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.graft.host.metering.Metered.Mode;
import dev.graft.host.metering.Metered.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Metered modules compute what the originals compute, and charge exactly one unit per executed
 * instruction (structural markers free), identically in interpreted and compiled Chicory.
 */
class FuelMeteringTest {

    static final long AMPLE = 1_000_000_000L;

    static final String ARITHMETIC = """
            (module
              (func $fib (export "fib") (param $n i32) (result i32)
                (if (result i32) (i32.lt_s (local.get $n) (i32.const 2))
                  (then (local.get $n))
                  (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                                 (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
              (func (export "sum") (param $n i32) (result i64) (local $i i32) (local $acc i64)
                block
                  loop
                    local.get $i local.get $n i32.ge_s br_if 1
                    local.get $acc local.get $i i64.extend_i32_s i64.add local.set $acc
                    local.get $i i32.const 1 i32.add local.set $i
                    br 0
                  end
                end
                local.get $acc)
              (func (export "constant") (result i32) i32.const 42))
            """;

    static final String CONTROL = """
            (module
              (func $classify (export "classify") (param $x i32) (result i32)
                (block $default
                  (block $two
                    (block $one
                      (block $zero
                        (br_table $zero $one $two $default (local.get $x)))
                      (return (i32.const 100)))
                    (return (i32.const 101)))
                  (return (i32.const 102)))
                (i32.const 103))
              (func (export "classifyAll") (param $n i32) (result i32) (local $i i32) (local $acc i32)
                (loop $next
                  (local.set $acc (i32.add (local.get $acc) (call $classify (local.get $i))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
                (local.get $acc))
              ;; leaves through the function's own label with br_if, br_table and br
              (func (export "early") (param $x i32) (result i32)
                i32.const 7
                local.get $x
                i32.eqz
                br_if 0
                drop
                i32.const 8
                local.get $x
                i32.const 1
                i32.eq
                br_if 0
                drop
                block (result i32)
                  i32.const 9
                  local.get $x
                  i32.const 2
                  i32.sub
                  br_table 0 1
                end
                i32.const 10
                i32.add
                br 0)
              ;; nested ifs and a block left by br_if from inside a loop
              (func (export "collatz") (param $n i32) (result i32) (local $steps i32)
                (block $done
                  (loop $step
                    (br_if $done (i32.le_u (local.get $n) (i32.const 1)))
                    (if (i32.and (local.get $n) (i32.const 1))
                      (then (local.set $n (i32.add (i32.mul (local.get $n) (i32.const 3)) (i32.const 1))))
                      (else (local.set $n (i32.shr_u (local.get $n) (i32.const 1)))))
                    (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
                    (br $step)))
                (local.get $steps)))
            """;

    static final String MULTI_VALUE = """
            (module
              (type $pair (func (param i32 i32) (result i32 i32)))
              (func $swap (param i32 i32) (result i32 i32) local.get 1 local.get 0)
              (func (export "diff") (param $a i32) (param $b i32) (result i32)
                local.get $a
                local.get $b
                block (type $pair)
                  call $swap
                end
                i32.sub)
              (func (export "countdown") (param $n i32) (result i32)
                local.get $n
                loop (param i32) (result i32)
                  i32.const 1
                  i32.sub
                  local.tee $n
                  local.get $n
                  br_if 0
                end)
              (func (export "divmod") (param $a i32) (param $b i32) (result i32 i32)
                local.get $b
                i32.eqz
                if (result i32 i32)
                  i32.const 0
                  i32.const 0
                else
                  local.get $a local.get $b i32.div_u
                  local.get $a local.get $b i32.rem_u
                end))
            """;

    static final String INDIRECT = """
            (module
              (type $binop (func (param i32 i32) (result i32)))
              (table 3 funcref)
              (elem (i32.const 0) $add $sub $mul)
              (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
              (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
              (func $mul (type $binop) (i32.mul (local.get 0) (local.get 1)))
              (func (export "apply") (param $op i32) (param $a i32) (param $b i32) (result i32)
                (call_indirect (type $binop) (local.get $a) (local.get $b) (local.get $op))))
            """;

    static final String GLOBALS_AND_START = """
            (module
              (global $counter (mut i32) (i32.const 0))
              (global $seed i64 (i64.const 42))
              (func $init (global.set $counter (i32.const 5)))
              (start $init)
              (func (export "bump") (result i32)
                (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
                (global.get $counter))
              (func (export "seed") (result i64) (global.get $seed))
              (export "counter" (global $counter)))
            """;

    static final String HOST = """
            (module
              (import "env" "charge" (func $charge (param i32) (result i32)))
              (import "env" "g" (global $g i32))
              (func (export "run") (param $x i32) (result i32)
                (call $charge (local.get $x))
                (global.get $g)
                i32.add)
              (func (export "guarded") (param $x i32) (result i32)
                (if (result i32) (local.get $x)
                  (then (drop (i32.const 1)) (drop (i32.const 2)) (drop (i32.const 3))
                        (call $charge (i32.const 0)))
                  (else (i32.const 0)))))
            """;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void arithmeticGivesSameResultsAndExactFuel(Mode mode) {
        byte[] original = wat(ARITHMETIC);
        Instance metered = instantiate(meter(original), mode);
        Instance plain = instantiate(original, mode);

        Outcome fib = call(metered, "fib", AMPLE, 20);
        assertEquals(6765, fib.result());
        assertEquals(plain.export("fib").apply(20)[0], fib.result());
        // 10946 leaf calls × 5 + 10945 inner calls × 13
        assertEquals(197_015, fib.consumed);
        assertEquals(1_589, call(metered, "fib", AMPLE, 10).consumed);

        Outcome sum = call(metered, "sum", AMPLE, 10);
        assertEquals(45, sum.result());
        // 14 per iteration, 4 for the exiting test, 1 for the final local.get
        assertEquals(145, sum.consumed);
        assertEquals(14_005, call(metered, "sum", AMPLE, 1000).consumed);
        assertEquals(499_500, call(metered, "sum", AMPLE, 1000).result());

        assertEquals(42, call(metered, "constant", AMPLE).result());
        assertEquals(1, call(metered, "constant", AMPLE).consumed);

        assertEquals(referenceCount(original, "fib", 20), 197_015);
        assertEquals(referenceCount(original, "sum", 1000), 14_005);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void controlFlowMatchesTheOriginalAndTheReferenceCount(Mode mode) {
        byte[] original = wat(CONTROL);
        Instance metered = instantiate(meter(original), mode);
        Instance plain = instantiate(original, mode);
        String[] functions = {"classify", "early", "collatz"};
        for (String function : functions) {
            for (long x = 0; x < 8; x++) {
                Outcome outcome = call(metered, function, AMPLE, x);
                assertEquals(plain.export(function).apply(x)[0], outcome.result(), function + "(" + x + ")");
                assertEquals(referenceCount(original, function, x), outcome.consumed, function + "(" + x + ") fuel");
            }
        }
        Outcome all = call(metered, "classifyAll", AMPLE, 10);
        assertEquals(100 + 101 + 102 + 103 * 7, all.result());
        assertEquals(referenceCount(original, "classifyAll", 10), all.consumed);

        // Hand-counted: local.get br_table i32.const return
        assertEquals(4, call(metered, "classify", AMPLE, 0).consumed);
        // local.get br_table i32.const (default path falls out of the blocks)
        assertEquals(3, call(metered, "classify", AMPLE, 3).consumed);
        // i32.const local.get i32.eqz br_if
        assertEquals(4, call(metered, "early", AMPLE, 0).consumed);
        // ... drop i32.const local.get i32.const i32.eq br_if drop + block: 5 + 10 i32.add br
        assertEquals(19, call(metered, "early", AMPLE, 2).result());
        assertEquals(4 + 7 + 5 + 3, call(metered, "early", AMPLE, 2).consumed);
        assertEquals(9, call(metered, "early", AMPLE, 3).result());
        assertEquals(4 + 7 + 5, call(metered, "early", AMPLE, 3).consumed);
        // collatz(6) takes 8 steps
        assertEquals(8, call(metered, "collatz", AMPLE, 6).result());
        assertEquals(referenceCount(original, "collatz", 27), call(metered, "collatz", AMPLE, 27).consumed);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void multiValueBlocksLoopsAndIfs(Mode mode) {
        byte[] original = wat(MULTI_VALUE);
        Instance metered = instantiate(meter(original), mode);

        Outcome diff = call(metered, "diff", AMPLE, 3, 10);
        assertEquals(7, diff.result());
        // local.get local.get call [local.get local.get] i32.sub
        assertEquals(6, diff.consumed);

        Outcome countdown = call(metered, "countdown", AMPLE, 5);
        assertEquals(0, countdown.result());
        // local.get + 5 × (i32.const i32.sub local.tee local.get br_if)
        assertEquals(26, countdown.consumed);

        Outcome divmod = call(metered, "divmod", AMPLE, 17, 5);
        assertArrayEquals(new long[] {3, 2}, divmod.results);
        assertEquals(referenceCount(original, "divmod", 17, 5), divmod.consumed);
        assertEquals(9, divmod.consumed);
        Outcome byZero = call(metered, "divmod", AMPLE, 17, 0);
        assertArrayEquals(new long[] {0, 0}, byZero.results);
        assertEquals(5, byZero.consumed);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void callIndirectAndGenuineTraps(Mode mode) {
        byte[] original = wat(INDIRECT);
        Instance metered = instantiate(meter(original), mode);
        assertEquals(10, call(metered, "apply", AMPLE, 0, 6, 4).result());
        assertEquals(2, call(metered, "apply", AMPLE, 1, 6, 4).result());
        assertEquals(24, call(metered, "apply", AMPLE, 2, 6, 4).result());
        // local.get × 3, call_indirect, then local.get local.get i32.mul in the callee
        assertEquals(7, call(metered, "apply", AMPLE, 2, 6, 4).consumed);

        // An undefined table element is a genuine trap: the fuel global stays >= 0.
        Outcome trap = call(metered, "apply", AMPLE, 9, 6, 4);
        assertTrue(trap.trap != null);
        assertFalse(trap.exhausted());
        assertTrue(trap.remaining >= 0);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void globalsStartFunctionAndExportsKeepWorking(Mode mode) {
        byte[] original = wat(GLOBALS_AND_START);
        CostModel model = CostModel.defaults().withStartFuel(1000);
        Instance metered = instantiate(FuelMetering.instrument(original, model), mode);
        // The start function ran on the start fuel: i32.const global.set
        assertEquals(998, fuel(metered).getValue());
        assertEquals(5, metered.exports().global("counter").getValue());
        assertEquals(42, call(metered, "seed", AMPLE).result());

        Outcome bump = call(metered, "bump", AMPLE);
        assertEquals(6, bump.result());
        assertEquals(5, bump.consumed);
        assertEquals(6, metered.exports().global("counter").getValue());
        // the fuel and reserve globals came after the two existing ones
        assertEquals(4, metered.globalCount());
        assertTrue(fuel(metered) == metered.global(2));
        assertTrue(Metered.reserve(metered) == metered.global(3));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void hostFunctionsSeeAndChargeTheFuelGlobal(Mode mode) {
        List<Long> seenByHost = new ArrayList<>();
        GlobalInstance[] fuel = new GlobalInstance[1];
        HostFunction charge = new HostFunction("env", "charge",
                FunctionType.of(List.of(ValType.I32), List.of(ValType.I32)),
                (instance, args) -> {
                    GlobalInstance global = fuel[0];
                    seenByHost.add(global.getValue());
                    global.setValue(global.getValue() - args[0]); // host-side charge
                    return new long[] {1};
                });
        ImportValues imports = ImportValues.builder()
                .addFunction(charge)
                .addGlobal(new ImportGlobal("env", "g", new GlobalInstance(41, 0, ValType.I32, MutabilityType.Const)))
                .build();
        byte[] original = wat(HOST);
        Instance metered = instantiate(meter(original), mode, imports);
        fuel[0] = fuel(metered);
        // the fuel global comes after the imported global
        assertTrue(fuel[0] == metered.global(1));

        Outcome run = call(metered, "run", 1000, 50);
        assertEquals(42, run.result());
        // The whole straight-line body (local.get call global.get i32.add) is charged on entry,
        // then the host's 50.
        assertEquals(List.of(996L), seenByHost);
        assertEquals(4 + 50, run.consumed);
        assertEquals(4, referenceCount(original, imports, "run", 0));

        // A host charge that overdraws ends the call with the exhaustion trap at the next check.
        Outcome overdrawn = call(metered, "run", 1000, 5000);
        assertTrue(overdrawn.exhausted());
        assertEquals(1000 - 4 - 5000, overdrawn.remaining);

        // No host function runs on exhausted fuel: entry (local.get if) leaves 3, the then-branch
        // (6 + i32.const call) overdraws, and the check before the host call traps.
        seenByHost.clear();
        Outcome guarded = call(metered, "guarded", 5, 1);
        assertTrue(guarded.exhausted());
        assertEquals(5 - 2 - 8, guarded.remaining);
        assertEquals(List.of(), seenByHost);
        Outcome paid = call(metered, "guarded", 10, 1);
        assertEquals(1, paid.result());
        assertEquals(List.of(0L), seenByHost);
        assertEquals(10, paid.consumed);
    }

    @Test
    void fuelAgreesBetweenModesForEveryFixture() {
        // One place that runs the same calls in both modes and compares the numbers directly.
        String[][] calls = {
            {ARITHMETIC, "fib", "15"}, {ARITHMETIC, "sum", "77"}, {CONTROL, "collatz", "97"},
            {CONTROL, "classifyAll", "9"}, {MULTI_VALUE, "countdown", "33"}, {INDIRECT, "apply", "1", "8", "3"},
        };
        for (String[] c : calls) {
            byte[] metered = meter(wat(c[0]));
            long[] args = new long[c.length - 2];
            for (int i = 0; i < args.length; i++) {
                args[i] = Long.parseLong(c[i + 2]);
            }
            Outcome interpreted = call(instantiate(metered, Mode.INTERPRETED), c[1], AMPLE, args);
            Outcome compiled = call(instantiate(metered, Mode.COMPILED), c[1], AMPLE, args);
            assertNull(interpreted.trap);
            assertEquals(interpreted.consumed, compiled.consumed, c[1]);
            assertArrayEquals(interpreted.results, compiled.results, c[1]);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void instructionCostMultipliesStaticCharges(Mode mode) {
        byte[] metered = FuelMetering.instrument(wat(ARITHMETIC), CostModel.defaults().withInstructionCost(3));
        Instance instance = instantiate(metered, mode);
        assertEquals(3 * 14_005, call(instance, "sum", AMPLE, 1000).consumed);
    }
}
