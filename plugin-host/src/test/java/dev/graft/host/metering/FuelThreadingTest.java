package dev.graft.host.metering;

import static dev.graft.host.metering.Metered.call;
import static dev.graft.host.metering.Metered.instantiate;
import static dev.graft.host.metering.Metered.referenceCount;
import static dev.graft.host.metering.Metered.wat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Instance;
import dev.graft.api.policy.CostModel;
import dev.graft.host.metering.Metered.Mode;
import dev.graft.host.metering.Metered.Outcome;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fuel passed down calls as a parameter and handed back in each {@link FuelReturn} form: results
 * and fuel figures match the original, whatever the counter limit and however large the budget.
 */
class FuelThreadingTest {

    /** One function per way of returning fuel, called directly, through the table and as exports. */
    static final String CONVENTIONS = """
            (module
              (type $tf32 (func (param f32) (result f32)))
              (type $ti64 (func (param i64) (result i64)))
              (table 2 funcref)
              (elem (i32.const 0) $f32 $i64)
              (global $g (mut i32) (i32.const 0))
              (func $none (export "none") (param i32)
                global.get $g local.get 0 i32.add global.set $g)
              (func $i32 (export "i32") (param i32) (result i32)
                local.get 0 i32.const 2 i32.lt_s
                if local.get 0 return end
                local.get 0 i32.const 1 i32.sub call $i32
                local.get 0 i32.const 2 i32.sub call $i32 i32.add)
              (func $f32 (export "f32") (param f32) (result f32) local.get 0 f32.const -1.5 f32.mul)
              (func $i64 (export "i64") (param i64) (result i64) local.get 0 i64.const 40 i64.shl)
              (func $f64 (param f64) (result f64) local.get 0 f64.sqrt)
              (func $pair (param i32) (result i32 i32) local.get 0 local.get 0 i32.const 7 i32.mul)
              (func (export "mix") (param $x i32) (result i64) (local $a i32) (local $b i32) (local $f f32)
                local.get $x call $none
                local.get $x call $i32
                local.get $x f32.convert_i32_s call $f32 local.tee $f i32.trunc_f32_s i32.add
                local.get $f i32.const 0 call_indirect (type $tf32) i32.trunc_f32_s i32.add
                local.get $x call $pair local.set $b local.set $a
                local.get $a i32.add local.get $b i32.add
                i64.extend_i32_s
                local.get $x i64.extend_i32_s call $i64 i64.add
                local.get $x i64.extend_i32_s i32.const 1 call_indirect (type $ti64) i64.add
                local.get $x f64.convert_i32_s call $f64 i64.trunc_f64_s i64.add
                global.get $g i64.extend_i32_s i64.add))
            """;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void everyFuelReturnGivesTheOriginalResultAndTheReferenceFuel(Mode mode) {
        byte[] original = wat(CONVENTIONS);
        Instance plain = instantiate(original, mode);
        Instance metered = instantiate(Metered.meter(original), mode);
        Instance refilling = instantiate(FuelMetering.instrument(original, CostModel.defaults(), 7), mode);
        for (int x : new int[] {0, 1, 2, 5, 12}) {
            long[] expected = plain.export("mix").apply(x);
            Outcome outcome = call(metered, "mix", FuelMeteringTest.AMPLE, x);
            assertArrayEquals(expected, outcome.results, "mix(" + x + ")");
            assertEquals(referenceCount(original, "mix", x), outcome.consumed, "mix(" + x + ") fuel");
            Outcome small = call(refilling, "mix", FuelMeteringTest.AMPLE, x);
            assertArrayEquals(expected, small.results, "mix(" + x + ") with counter limit 7");
            assertEquals(outcome.consumed, small.consumed, "mix(" + x + ") fuel with counter limit 7");
        }
        // the wrappers behind the exports: f32 and i64 results unchanged, fuel exact
        Outcome f32 = call(metered, "f32", 100, Float.floatToRawIntBits(2.0f));
        assertEquals(-3.0f, Float.intBitsToFloat((int) f32.result()));
        assertEquals(3, f32.consumed);
        Outcome i64 = call(metered, "i64", 100, 3);
        assertEquals(3L << 40, i64.result());
        assertEquals(3, i64.consumed);
        Outcome none = call(metered, "none", 100, 4);
        assertNull(none.trap);
        assertEquals(4, none.consumed);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aCallSucceedsExactlyWhenTheBudgetCoversItWhateverTheCounterLimit(Mode mode) {
        byte[] original = wat(CONVENTIONS);
        long needed = referenceCount(original, "mix", 9);
        for (long limit : new long[] {1, 3, 50, ModuleRewriter.COUNTER_LIMIT}) {
            Instance metered = instantiate(FuelMetering.instrument(original, CostModel.defaults(), limit), mode);
            for (long budget = needed - 40; budget <= needed + 5; budget++) {
                Outcome outcome = call(metered, "mix", budget, 9);
                if (budget >= needed) {
                    assertNull(outcome.trap, "budget " + budget + ", limit " + limit);
                    assertEquals(budget - needed, outcome.remaining, "budget " + budget + ", limit " + limit);
                } else {
                    assertTrue(outcome.exhausted(), "budget " + budget + " < " + needed + ", limit " + limit);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void budgetsBeyondTheCounterLimitWaitInTheReserve(Mode mode) {
        byte[] original = wat(CONVENTIONS);
        Instance metered = instantiate(Metered.meter(original), mode);
        long needed = referenceCount(original, "i32", 15);
        for (long budget : new long[] {5_000_000_000L, Long.MAX_VALUE / 2}) {
            Outcome outcome = call(metered, "i32", budget, 15);
            assertEquals(610, outcome.result());
            assertEquals(needed, outcome.consumed, "budget " + budget);
            assertEquals(budget - ModuleRewriter.COUNTER_LIMIT, Metered.reserve(metered).getValue());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aFunctionTakenByRefFuncIsCalledThroughItsWrapper(Mode mode) {
        byte[] original = wat("""
                (module
                  (type $t (func (param i32) (result i32)))
                  (table 1 funcref)
                  (elem declare func $twice)
                  (func $twice (param i32) (result i32) local.get 0 local.get 0 i32.add)
                  (func (export "g") (param i32) (result i32)
                    i32.const 0 ref.func $twice table.set 0
                    local.get 0 i32.const 0 call_indirect (type $t)))
                """);
        Instance metered = instantiate(Metered.meter(original), mode);
        Outcome outcome = call(metered, "g", 100, 21);
        assertEquals(42, outcome.result());
        assertEquals(referenceCount(original, "g", 21), outcome.consumed);
    }

    /** Nested loops left by br, br_if and br_table across two wrapped loops, a loop with a result, one with a parameter. */
    static final String LOOPS = """
            (module
              (type $withParam (func (param i32) (result i32)))
              (func (export "nested") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $acc i32)
                (block $out
                  (loop $outer
                    (local.set $j (i32.const 0))
                    (block $inner_done
                      (loop $inner
                        (br_if $out (i32.gt_u (local.get $acc) (i32.const 5000)))
                        (br_table $inner_done $inner $inner $out (i32.and (local.get $j) (i32.const 3)))
                        (local.set $acc (i32.add (local.get $acc) (i32.const 1000)))))
                    (local.set $acc (i32.add (local.get $acc) (local.get $i)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br_if $outer (i32.lt_u (local.get $i) (local.get $n)))))
                (local.get $acc))
              (func (export "valued") (param $n i32) (result i32) (local $k i32)
                (loop $l (result i32)
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br_if $l (i32.lt_u (local.get $k) (local.get $n)))
                  (i32.mul (local.get $k) (i32.const 3))))
              (func (export "param") (param $n i32) (result i32)
                (local.get $n)
                (loop $l (type $withParam)
                  (i32.sub (i32.const 1))
                  (local.tee $n)
                  (br_if $l (i32.gt_s (local.get $n) (i32.const 0)))
                  (i32.add (i32.const 100)))))
            """;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void loopsRefillAndChargeExactlyWhateverTheCounterLimit(Mode mode) {
        byte[] original = wat(LOOPS);
        Instance plain = instantiate(original, mode);
        String[] functions = {"nested", "valued", "param"};
        for (long limit : new long[] {1, 2, 7, 50, ModuleRewriter.COUNTER_LIMIT}) {
            Instance metered = instantiate(FuelMetering.instrument(original, CostModel.defaults(), limit), mode);
            for (String function : functions) {
                for (int x : new int[] {1, 3, 17}) {
                    long needed = referenceCount(original, function, x);
                    Outcome outcome = call(metered, function, FuelMeteringTest.AMPLE, x);
                    String what = function + "(" + x + "), counter limit " + limit;
                    assertArrayEquals(plain.export(function).apply(x), outcome.results, what);
                    assertEquals(needed, outcome.consumed, what);
                    for (long budget = needed - 3; budget <= needed; budget++) {
                        Outcome tight = call(metered, function, budget, x);
                        assertTrue(budget >= needed ? tight.trap == null : tight.exhausted(), what + ", budget " + budget);
                    }
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void counterLimitOutsideItsRangeIsRefused() {
        byte[] module = wat(CONVENTIONS);
        assertThrows(IllegalArgumentException.class, () -> FuelMetering.instrument(module, CostModel.defaults(), 0));
        assertThrows(IllegalArgumentException.class,
                () -> FuelMetering.instrument(module, CostModel.defaults(), ModuleRewriter.COUNTER_LIMIT + 1));
    }
}
