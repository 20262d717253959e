package dev.graft.host.metering;

import static dev.graft.host.metering.Metered.call;
import static dev.graft.host.metering.Metered.instantiate;
import static dev.graft.host.metering.Metered.meter;
import static dev.graft.host.metering.Metered.referenceCount;
import static dev.graft.host.metering.Metered.wat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Instance;
import dev.graft.host.metering.Metered.Mode;
import dev.graft.host.metering.Metered.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Sign extension, saturating truncation, reference types, SIMD, tail calls, dead code. */
class PostMvpFeaturesTest {

    static final long AMPLE = 1_000_000_000L;

    static final String NUMERIC = """
            (module
              (func (export "ext") (param i32) (result i32)
                (i32.add (i32.extend8_s (local.get 0)) (i32.extend16_s (local.get 0))))
              (func (export "ext64") (param i64) (result i64)
                (i64.add (i64.extend32_s (local.get 0)) (i64.extend8_s (local.get 0))))
              (func (export "sat") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0)))
              (func (export "satu") (param f32) (result i64) (i64.trunc_sat_f32_u (local.get 0)))
              (func (export "floats") (param f64) (result f64)
                (f64.add (f64.mul (local.get 0) (f64.const 2.5))
                         (f64.promote_f32 (f32.const -1.25)))))
            """;

    static final String REFERENCES = """
            (module
              (table $t 2 10 funcref)
              (table $ext 1 externref)
              (func $one (result i32) i32.const 1)
              (func $two (result i32) i32.const 2)
              (elem declare func $one $two)
              (elem $seg funcref (ref.func $one) (ref.func $two))
              (func (export "tables") (result i32)
                (table.set $t (i32.const 0) (ref.func $two))
                (drop (table.grow $t (ref.null func) (i32.const 3)))
                (table.fill $t (i32.const 2) (ref.func $one) (i32.const 2))
                (table.init $t $seg (i32.const 4) (i32.const 0) (i32.const 1))
                (elem.drop $seg)
                (table.copy $t $t (i32.const 1) (i32.const 0) (i32.const 1))
                (i32.add
                  (i32.add (table.size $t) (call_indirect (result i32) (i32.const 1)))
                  (i32.add (call_indirect (result i32) (i32.const 4))
                           (ref.is_null (table.get $t (i32.const 3))))))
              (func (export "externs") (param externref) (result i32)
                (table.set $ext (i32.const 0) (local.get 0))
                (ref.is_null (table.get $ext (i32.const 0))))
              (func (export "pick") (param i32) (result i32)
                (select (result i32) (i32.const 10) (i32.const 20) (local.get 0))))
            """;

    static final String SIMD = """
            (module
              (memory 1)
              (func (export "lanes") (param i32) (result i32) (local v128)
                (local.set 1 (v128.const i32x4 1 2 3 4))
                (local.set 1 (i32x4.add (local.get 1) (i32x4.splat (local.get 0))))
                (local.set 1 (i32x4.replace_lane 2 (local.get 1) (i32.const 100)))
                (v128.store offset=16 (i32.const 0) (local.get 1))
                (local.set 1 (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11
                               (v128.load offset=16 (i32.const 0)) (local.get 1)))
                (local.set 1 (v128.load32_lane 3 (i32.const 20) (local.get 1)))
                (i32.add (i32.add (i32x4.extract_lane 0 (local.get 1)) (i32x4.extract_lane 2 (local.get 1)))
                         (i32.add (i32x4.extract_lane 3 (local.get 1))
                                  (i32.add (i8x16.extract_lane_u 1 (local.get 1))
                                           (i32x4.all_true (i32x4.abs (local.get 1))))))))
            """;

    static final String DEAD_CODE = """
            (module
              (memory 1)
              (func $f (result i32) i32.const 3)
              (func (export "dead") (param i32) (result i32)
                (drop (block $b (result i32)
                  (br $b (i32.const 1))
                  (drop (call $f))
                  (drop (memory.grow (i32.const 1)))
                  (loop (br 0))
                  (i32.const 2)))
                (if (result i32) (local.get 0)
                  (then (return (i32.const 5)) (drop (call $f)) (i32.const 6))
                  (else (unreachable) (drop (call $f)))))
              (func (export "afterReturn") (result i32)
                (return (i32.const 8))
                (call $f)))
            """;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void numericExtensions(Mode mode) {
        byte[] original = wat(NUMERIC);
        Instance metered = instantiate(meter(original), mode);
        Instance plain = instantiate(original, mode);
        assertSame(plain, metered, original, "ext", 0x1FF80);
        assertSame(plain, metered, original, "ext64", 0x1_8000_0080L);
        assertSame(plain, metered, original, "sat", Double.doubleToLongBits(1e20));
        assertSame(plain, metered, original, "sat", Double.doubleToLongBits(Double.NaN));
        assertSame(plain, metered, original, "satu", Float.floatToIntBits(-3.5f));
        assertSame(plain, metered, original, "floats", Double.doubleToLongBits(4.0));
        assertEquals(Integer.MAX_VALUE, call(metered, "sat", AMPLE, Double.doubleToLongBits(1e20)).result());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void referenceTypesAndTableOperations(Mode mode) {
        byte[] original = wat(REFERENCES);
        Instance metered = instantiate(meter(original), mode);
        Instance plain = instantiate(original, mode);
        assertSame(plain, metered, original, "tables");
        assertSame(plain, metered, original, "pick", 0);
        assertSame(plain, metered, original, "pick", 1);
        Outcome externs = call(metered, "externs", AMPLE, 77);
        assertEquals(plain.export("externs").apply(77)[0], externs.result());
    }

    @Test
    void simdImmediatesAreCopiedIntact() {
        // Chicory 1.7.5's default interpreter and compiler do not execute SIMD, so this checks
        // that the rewritten code still holds every original instruction and immediate (memargs,
        // lanes, v128 constants, shuffles, two-byte sub-opcodes) and that Chicory parses it.
        byte[] original = wat(SIMD);
        Metered.assertOriginalCodePreserved(original, meter(original));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void tailCallsAreMeteredLikeCalls(Mode mode) {
        // wabt 1.0.0 here cannot assemble return_call: assemble a call, then patch its opcode.
        byte[] original = wat("""
                (module
                  (func $inc (param i32) (result i32) local.get 0 i32.const 1 i32.add)
                  (func $loop (param i32) (result i32)
                    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
                      (else (i32.sub (local.get 0) (i32.const 1)) (call $loop))))
                  (func (export "f") (param i32) (result i32) local.get 0 call $inc)
                  (func (export "loop") (param i32) (result i32) local.get 0 call $loop))
                """);
        // call $inc / call $loop at the end of bodies: 10 00 0B and 10 01 0B; patch all to return_call.
        int patched = 0;
        for (int i = 0; i + 2 < original.length; i++) {
            if (original[i] == 0x10 && (original[i + 1] == 0 || original[i + 1] == 1) && original[i + 2] == 0x0B) {
                original[i] = 0x12;
                patched++;
            }
        }
        assertEquals(3, patched);
        Instance metered = instantiate(meter(original), mode);
        Outcome f = call(metered, "f", AMPLE, 41);
        assertEquals(42, f.result());
        assertEquals(5, f.consumed);
        assertEquals(referenceCount(original, "f", 41), f.consumed);

        // entry 2 (local.get return_call), each level 7
        // (local.get i32.eqz if local.get i32.const i32.sub return_call), the last 4
        Outcome deep = call(metered, "loop", AMPLE, 300);
        assertEquals(0, deep.result());
        assertEquals(2 + 300 * 7 + 4, deep.consumed);
        assertEquals(referenceCount(original, "loop", 50), call(metered, "loop", AMPLE, 50).consumed);

        Outcome runaway = call(metered, "loop", 1000, 2000);
        assertTrue(runaway.exhausted());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void deadCodeAfterTransfersStaysValidAndFree(Mode mode) {
        byte[] original = wat(DEAD_CODE);
        Instance metered = instantiate(meter(original), mode);
        Instance plain = instantiate(original, mode);
        assertSame(plain, metered, original, "dead", 1);
        assertSame(plain, metered, original, "afterReturn");
        // i32.const br | drop local.get if | i32.const return
        assertEquals(7, call(metered, "dead", AMPLE, 1).consumed);
        Outcome trap = call(metered, "dead", AMPLE, 0);
        assertTrue(trap.trap != null);
        assertTrue(!trap.exhausted());
    }

    /** Same results as the original, and fuel equal to the reference instruction count. */
    private static void assertSame(Instance plain, Instance metered, byte[] original, String function, long... args) {
        Outcome outcome = call(metered, function, AMPLE, args);
        long[] expected = plain.export(function).apply(args);
        assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(outcome.results), function);
        assertEquals(referenceCount(original, function, args), outcome.consumed, function + " fuel");
    }
}
