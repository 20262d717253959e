package dev.graft.host.metering;

import dev.graft.api.policy.CostModel;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wabt.Wat2Wasm;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Test helpers: compile WAT, meter it, run it in either Chicory mode, and count the reference. */
final class Metered {

    /** The two Chicory execution modes; metered fuel must be identical in both. */
    enum Mode {
        INTERPRETED,
        COMPILED
    }

    /** What one metered call did. */
    static final class Outcome {
        final long[] results;
        final long remaining;
        final long consumed;
        final ChicoryException trap;

        Outcome(long[] results, long budget, long remaining, ChicoryException trap) {
            this.results = results;
            this.remaining = remaining;
            this.consumed = budget - remaining;
            this.trap = trap;
        }

        boolean exhausted() {
            return trap != null && remaining < 0;
        }

        long result() {
            if (trap != null) {
                throw new AssertionError("call trapped", trap);
            }
            return results[0];
        }
    }

    private Metered() {
    }

    private static final Map<String, byte[]> ASSEMBLED = new ConcurrentHashMap<>();

    /** Assembles WAT (memoized: wabt runs on Chicory and costs ~0.1 s per call). */
    static byte[] wat(String text) {
        return ASSEMBLED.computeIfAbsent(text, Wat2Wasm::parse).clone();
    }

    static byte[] meter(byte[] wasm) {
        return FuelMetering.instrument(wasm, CostModel.defaults());
    }

    static Instance instantiate(byte[] wasm, Mode mode) {
        return instantiate(wasm, mode, ImportValues.empty());
    }

    static Instance instantiate(byte[] wasm, Mode mode, ImportValues imports) {
        WasmModule module = Parser.parse(wasm);
        Instance.Builder builder = Instance.builder(module).withImportValues(imports);
        if (mode == Mode.COMPILED) {
            builder.withMachineFactory(MachineFactoryCompiler.compile(module));
        }
        return builder.build();
    }

    static GlobalInstance fuel(Instance instance) {
        return instance.exports().global(FuelMetering.FUEL_GLOBAL_EXPORT);
    }

    static GlobalInstance reserve(Instance instance) {
        return instance.exports().global(FuelMetering.RESERVE_GLOBAL_EXPORT);
    }

    /** Fuel left: the fuel global plus the reserve. */
    static long remaining(Instance instance) {
        return fuel(instance).getValue() + reserve(instance).getValue();
    }

    /** Sets the budget, calls {@code function}, and reports results, fuel and any trap. */
    static Outcome call(Instance instance, String function, long budget, long... args) {
        fuel(instance).setValue(budget);
        reserve(instance).setValue(0);
        try {
            long[] results = instance.export(function).apply(args);
            return new Outcome(results, budget, remaining(instance), null);
        } catch (ChicoryException trap) { // TrapException, WasmRuntimeException, ...
            return new Outcome(null, budget, remaining(instance), trap);
        }
    }

    /**
     * Asserts that every function of {@code metered} contains the original's instructions, with
     * the same immediates and in the same order (the injected ones interleaved; local indices past
     * the parameters one higher for the fuel parameter; {@code ref.func} naming a wrapper;
     * {@code return} possibly a branch to the body block), and the
     * original's locals as a prefix of its locals. Wrappers and the refill function follow the
     * original functions.
     */
    static void assertOriginalCodePreserved(byte[] original, byte[] metered) {
        WasmModule originalModule = Parser.parse(original);
        FunctionBody[] before = originalModule.codeSection().functionBodies();
        FunctionBody[] after = Parser.parse(metered).codeSection().functionBodies();
        if (after.length <= before.length) {
            throw new AssertionError("expected appended wrappers and refill: " + before.length + " -> " + after.length);
        }
        for (int f = 0; f < before.length; f++) {
            int params = originalModule.typeSection()
                    .getType(originalModule.functionSection().getFunctionType(f)).params().size();
            if (!after[f].localTypes().subList(0, before[f].localTypes().size()).equals(before[f].localTypes())) {
                throw new AssertionError("function " + f + ": locals moved");
            }
            List<? extends Instruction> want = before[f].instructions();
            List<? extends Instruction> have = after[f].instructions();
            int next = 0;
            for (Instruction instruction : have) {
                if (next < want.size() && same(want.get(next), instruction, params)) {
                    next++;
                }
            }
            if (next != want.size()) {
                throw new AssertionError("function " + f + ": original instruction " + next + " ("
                        + want.get(next) + ") not found in order");
            }
        }
    }

    private static boolean same(Instruction original, Instruction metered, int params) {
        if (original.opcode() == OpCode.RETURN && metered.opcode() == OpCode.BR) {
            return true; // a function returning fuel packed branches to its body block's end
        }
        if (original.opcode() != metered.opcode()) {
            return false;
        }
        OpCode op = original.opcode();
        if (op == OpCode.REF_FUNC) {
            return true; // a wrapper's index
        }
        long[] want = original.operands();
        if ((op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) && want[0] >= params) {
            want = new long[] {want[0] + 1};
        }
        return Arrays.equals(want, metered.operands());
    }

    /**
     * The reference count: instructions Chicory's interpreter executes for this call of the
     * <em>original</em> module, without the free structural markers.
     */
    static long referenceCount(byte[] original, String function, long... args) {
        return referenceCount(original, ImportValues.empty(), function, args);
    }

    static long referenceCount(byte[] original, ImportValues imports, String function, long... args) {
        long[] count = new long[1];
        boolean[] counting = new boolean[1];
        Instance instance = Instance.builder(Parser.parse(original))
                .withImportValues(imports)
                .withUnsafeExecutionListener((instruction, stack) -> {
                    OpCode op = instruction.opcode();
                    if (counting[0] && op != OpCode.BLOCK && op != OpCode.LOOP && op != OpCode.ELSE && op != OpCode.END) {
                        count[0]++;
                    }
                })
                .build();
        counting[0] = true;
        instance.export(function).apply(args);
        return count[0];
    }
}
