package dev.graft.host.engine;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.ExecutionMode;
import java.util.Objects;
import java.util.function.Function;

/**
 * A parsed, possibly metered and compiled module, shared by every plugin and instance with the same
 * bytes, mode and cost model. Chicory's machine factory only accepts the module object it compiled,
 * so the two travel together.
 *
 * <p>In {@linkplain ExecutionMode#TIERED tiered} mode the module starts without a machine factory
 * (instances run in Chicory's interpreter) and the engine {@linkplain #promote installs} the
 * compiled one when the background compile finishes: a single volatile write, so every instance
 * created afterwards runs compiled while instances already running keep the tier they were built in.
 */
public final class CompiledModule {

    private final String sha256;
    private final WasmModule module;
    private final ExecutionMode mode;
    private final CostModel fuelCosts;
    private final boolean fromClasspathCache;
    private volatile Function<Instance, Machine> machineFactory;

    /**
     * @param sha256 hex digest of the module bytes as loaded (before metering)
     * @param module the parsed module (the metered one when {@code fuelCosts} is set)
     * @param machineFactory compiled code, or {@code null} while the module runs interpreted
     * @param mode the mode it was loaded in
     * @param fuelCosts the cost model the module was metered with, or {@code null} when unmetered; only
     *     the fields that shape the code matter here, host-call costs come from each plugin's policy
     */
    public CompiledModule(String sha256, WasmModule module, Function<Instance, Machine> machineFactory,
            ExecutionMode mode, CostModel fuelCosts) {
        this(sha256, module, machineFactory, mode, fuelCosts, false);
    }

    CompiledModule(String sha256, WasmModule module, Function<Instance, Machine> machineFactory,
            ExecutionMode mode, CostModel fuelCosts, boolean fromClasspathCache) {
        this.fromClasspathCache = fromClasspathCache;
        this.sha256 = sha256;
        this.module = module;
        this.machineFactory = machineFactory;
        this.mode = mode;
        this.fuelCosts = fuelCosts;
    }

    /** Hex digest of the module bytes as loaded (before metering). */
    public String sha256() {
        return sha256;
    }

    /** The parsed module (the metered one when metered). */
    public WasmModule module() {
        return module;
    }

    /** The compiled code, or {@code null} while the module runs in the interpreter. */
    public Function<Instance, Machine> machineFactory() {
        return machineFactory;
    }

    /** The mode the module was loaded in (what the policy asked for). */
    public ExecutionMode mode() {
        return mode;
    }

    /** How new instances run now: {@link ExecutionMode#COMPILED} or {@link ExecutionMode#INTERPRETED}. */
    public ExecutionMode tier() {
        return machineFactory != null ? ExecutionMode.COMPILED : ExecutionMode.INTERPRETED;
    }

    /** The cost model the module was metered with, or {@code null} when unmetered. */
    public CostModel fuelCosts() {
        return fuelCosts;
    }

    /**
     * Whether the module came compiled from the {@linkplain ClasspathCompileCache classpath cache}: no
     * metering, full parse or compile at load. Its {@link #module()} then holds only the function bodies
     * the compiled classes run in the interpreter; the others are {@code unreachable}.
     */
    public boolean fromClasspathCache() {
        return fromClasspathCache;
    }

    /** Whether the module carries fuel metering. */
    public boolean metered() {
        return fuelCosts != null;
    }

    /** Number of globals the module defines (when metered, the fuel and reserve globals are the last two). */
    public int definedGlobals() {
        return module.globalSection().globalCount();
    }

    /**
     * Installs the compiled code of a tiered module; it must have been compiled from {@link #module()}
     * itself (Chicory's factory refuses any other module object).
     */
    void promote(Function<Instance, Machine> compiled) {
        this.machineFactory = Objects.requireNonNull(compiled, "compiled");
    }

    @Override
    public String toString() {
        return "CompiledModule{" + sha256 + ", mode=" + mode + ", tier=" + tier() + (metered() ? ", metered" : "")
                + (fromClasspathCache ? ", from the classpath cache" : "") + "}";
    }
}
