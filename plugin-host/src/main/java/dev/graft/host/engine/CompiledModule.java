package dev.graft.host.engine;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.ExecutionMode;
import java.util.function.Function;

/**
 * A parsed, possibly metered and (in compiled mode) compiled module: immutable and shared by every
 * plugin and instance with the same bytes, mode and cost model. Chicory's machine factory only
 * accepts the module object it compiled, so the two travel together.
 *
 * @param sha256 hex digest of the module bytes as loaded (before metering)
 * @param module the parsed module (the metered one when {@code fuelCosts} is set)
 * @param machineFactory compiled code, or {@code null} in interpreted mode
 * @param mode how it runs
 * @param fuelCosts the cost model the module was metered with, or {@code null} when unmetered; only
 *     the fields that shape the code matter here, host-call costs come from each plugin's policy
 */
public record CompiledModule(String sha256, WasmModule module, Function<Instance, Machine> machineFactory,
        ExecutionMode mode, CostModel fuelCosts) {

    /** Whether the module carries fuel metering. */
    public boolean metered() {
        return fuelCosts != null;
    }

    /** Number of globals the module defines (when metered, the fuel and reserve globals are the last two). */
    public int definedGlobals() {
        return module.globalSection().globalCount();
    }
}
