package dev.graft.host.metering;

import dev.graft.api.policy.CostModel;
import static dev.graft.host.metering.Metered.call;
import static dev.graft.host.metering.Metered.instantiate;
import static dev.graft.host.metering.Metered.meter;
import static dev.graft.host.metering.Metered.wat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.host.metering.Metered.Mode;
import dev.graft.host.metering.Metered.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Runaway code stops with a trap and a negative fuel global, at a predictable point. */
class FuelExhaustionTest {

    static final String RUNAWAY = """
            (module
              (func (export "spin") (loop br 0))
              (func (export "spinIf") (loop (br_if 0 (i32.const 1))))
              (func (export "spinTable") (loop (br_table 0 0 (i32.const 1))))
              (func $rec (export "recurse") (call $rec))
              (func $even (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
                  (else (call $odd (i32.sub (local.get 0) (i32.const 1))))))
              (func $odd (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
                  (else (call $even (i32.sub (local.get 0) (i32.const 1))))))
              (func (export "even") (param i32) (result i32) (call $even (local.get 0)))
              (func (export "straight") (result i32)
                i32.const 1 i32.const 2 i32.add i32.const 3 i32.add))
            """;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void loopsStopAtTheirHeaderWithTheExactOvershoot(Mode mode) {
        Instance instance = instantiate(meter(wat(RUNAWAY)), mode);

        // 1 per iteration (br): the 1001st header charge makes it -1.
        Outcome spin = call(instance, "spin", 1000);
        assertTrue(spin.exhausted());
        assertEquals(-1, spin.remaining);
        assertInstanceOf(TrapException.class, spin.trap);

        // 2 per iteration (i32.const br_if): 501st charge leaves 1000 - 1002.
        Outcome spinIf = call(instance, "spinIf", 1000);
        assertTrue(spinIf.exhausted());
        assertEquals(-2, spinIf.remaining);

        Outcome spinTable = call(instance, "spinTable", 999);
        assertTrue(spinTable.exhausted());
        assertEquals(-1, spinTable.remaining);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void recursionStopsAtFunctionEntry(Mode mode) throws Exception {
        // On a 64 MiB stack: how many interpreted frames fit in the default one depends on how the JIT
        // compiled Chicory's interpreter loop, which earlier tests in the same JVM influence (it trapped
        // with "call stack exhausted" under 300 frames after the hostile suites had run).
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                recursionStopsAtFunctionEntryOnThisThread(mode);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "deep-recursion", 64L << 20);
        thread.start();
        thread.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get().getMessage(), failure.get());
        }
    }

    private static void recursionStopsAtFunctionEntryOnThisThread(Mode mode) {
        Instance instance = instantiate(meter(wat(RUNAWAY)), mode);
        // each frame charges 1 (its call) on entry and checks: the 301st entry finds -1. Kept well under
        // the ~900 frames interpreted Chicory reaches on a default thread stack, where a stack overflow
        // would trap first (a budget of 1000 failed now and then).
        Outcome recurse = call(instance, "recurse", 300);
        assertTrue(recurse.exhausted());
        assertEquals(-1, recurse.remaining);

        Outcome mutual = call(instance, "even", 500, 100_000);
        assertTrue(mutual.exhausted());

        Outcome enough = call(instance, "even", 1_000_000, 1001);
        assertEquals(0, enough.result());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void budgetBoundariesAreExact(Mode mode) {
        Instance instance = instantiate(meter(wat(RUNAWAY)), mode);
        // straight: 5 instructions
        assertEquals(6, call(instance, "straight", 5).result());
        assertEquals(0, call(instance, "straight", 5).remaining);
        Outcome oneShort = call(instance, "straight", 4);
        assertTrue(oneShort.exhausted());
        assertEquals(-1, oneShort.remaining);
        // a zero budget stops any function at its first check
        assertTrue(call(instance, "straight", 0).exhausted());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aRunawayStartFunctionFailsInstantiationWithNegativeFuel(Mode mode) {
        byte[] metered = FuelMetering.instrument(
                wat("(module (global (mut i32) (i32.const 0)) (func $s (loop br 0)) (start $s))"),
                CostModel.defaults().withStartFuel(1000));
        WasmModule module = Parser.parse(metered);
        // Chicory runs the start function inside build(); a GlobalFactory lets the host keep the
        // fuel and reserve globals, the last two the module defines.
        List<GlobalInstance> globals = new ArrayList<>();
        Instance.Builder builder = Instance.builder(module).withGlobalFactory((low, high, type, mutability) -> {
            GlobalInstance global = new GlobalInstance(low, high, type, mutability);
            globals.add(global);
            return global;
        });
        if (mode == Mode.COMPILED) {
            builder.withMachineFactory(MachineFactoryCompiler.compile(module));
        }
        UninstantiableException failure = assertThrows(UninstantiableException.class, builder::build);
        assertInstanceOf(TrapException.class, failure.getCause());
        assertEquals(3, globals.size());
        assertEquals(-1, globals.get(1).getValue());
        assertEquals(0, globals.get(2).getValue());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void genuineTrapsKeepANonNegativeGlobal(Mode mode) {
        Instance instance = instantiate(meter(wat("""
                (module
                  (func (export "div") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
                  (func (export "boom") unreachable))
                """)), mode);
        Outcome div = call(instance, "div", 100, 0);
        assertTrue(div.trap != null);
        assertFalse(div.exhausted());
        assertEquals(100, div.remaining); // the local was not written back: nothing was published yet
        Outcome boom = call(instance, "boom", 100);
        assertTrue(boom.trap != null);
        assertFalse(boom.exhausted());
    }
}
