package dev.graft.host.engine;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ExecutionListener;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.host.abi.ExtismKernel;
import dev.graft.host.component.ComponentInstance;
import dev.graft.host.component.ComponentPlan;
import dev.graft.host.metering.FuelMeter;
import dev.graft.host.policy.BudgetedMemory;
import dev.graft.host.policy.BudgetedTable;
import dev.graft.host.policy.MemoryBudget;
import dev.graft.host.pool.InstanceState;
import dev.graft.host.policy.WasiSandbox;
import java.util.ArrayList;
import java.util.List;

/**
 * One live Wasm instance of a plugin with its own kernel state, memory budget and WASI session. A
 * run-time object: cheap, used by one thread at a time, discarded after a failure.
 */
final class PluginInstance implements AutoCloseable {

    /**
     * Chicory's interpreter checks the thread's interrupt only at calls and plain {@code br}, so a loop
     * closed by {@code br_if} or {@code br_table} would outrun the watchdog forever. In interpreted mode
     * every instruction checks it instead (compiled code checks at calls and every back-edge itself).
     */
    private static final ExecutionListener INTERRUPT_CHECK = (instruction, stack) -> {
        if (Thread.currentThread().isInterrupted()) {
            throw new ChicoryInterruptedException("Thread interrupted");
        }
    };

    private final String pluginId;
    private final Instance instance;
    /** Exports called on this instance: Chicory's {@code Instance.export} looks up and allocates on every call. */
    private final java.util.Map<String, ExportFunction> exportFunctions = new java.util.HashMap<>(4);
    private final ExtismKernel kernel;
    private final MemoryBudget budget;
    private final WasiSandbox.Session wasi;
    private final FuelMeter meter;
    /** The component's instance when the plugin is a component (then {@link #instance} and the kernel are null). */
    private final ComponentInstance component;
    /** Whether this instance runs compiled code (fixed at instantiation; a tiered switch builds new ones). */
    private final boolean compiledTier;
    private final List<BudgetedMemory> memories = new ArrayList<>(1);
    /** A component instance's memory accounts right after instantiation, once {@link #snapshot()} ran. */
    private MemoryBudget.Accounts componentAccounts;
    /** The state right after instantiation, once {@link #snapshot()} ran; {@code null} before. */
    private Snapshot snapshot;

    /** What {@link #reset()} puts back: everything a call can change besides the linear memories' bytes. */
    private record Snapshot(InstanceState state, ExtismKernel.Vars vars, MemoryBudget.Accounts accounts) {
    }

    /**
     * Instantiates the plugin; the start function and {@code _initialize} run here, on the meter's
     * budget when the plugin is metered.
     *
     * @param meter the instance's fuel meter, or {@code null} when unmetered
     * @param command arguments, environment, stdin and stdout of a WASI command run, or {@code null}
     */
    PluginInstance(Plugin plugin, FuelMeter meter, WasiSandbox.CommandIo command) {
        this.component = null;
        this.pluginId = plugin.id();
        this.meter = meter;
        this.budget = new MemoryBudget(pluginId, plugin.policy().maxMemoryBytes());
        this.kernel = new ExtismKernel(pluginId, plugin.config(), plugin.hostFunctions(),
                plugin.policy().maxVarBytes(), plugin.policy().maxOutputBytes(), plugin.policy().maxLogBytes(), budget,
                plugin.log(), meter, plugin.http());
        // Read once: a tiered module's factory may appear at any moment, the instance keeps one tier.
        var machineFactory = plugin.compiled().machineFactory();
        this.compiledTier = machineFactory != null;
        this.wasi = !plugin.linker().usesWasi() ? null
                : command == null ? plugin.wasi().open(plugin.log(), kernel.logBudget())
                : plugin.wasi().open(plugin.log(), command, kernel.logBudget());
        try {
            CompiledModule compiled = plugin.compiled();
            Instance.Builder builder = Instance.builder(compiled.module())
                    // A WASI command's _start runs when the host runs the command, never on instantiation.
                    .withStart(false)
                    .withImportValues(plugin.linker().link(kernel, wasi, meter))
                    .withMemoryFactory(limits -> {
                        BudgetedMemory memory = new BudgetedMemory(plugin.memoryLimits(limits), budget);
                        memories.add(memory);
                        return memory;
                    })
                    .withTableFactory(BudgetedTable.factory(budget));
            if (meter != null) {
                builder.withGlobalFactory(meter);
            }
            if (machineFactory != null) {
                builder.withMachineFactory(machineFactory);
            } else {
                builder.withUnsafeExecutionListener(INTERRUPT_CHECK);
            }
            this.instance = builder.build();
            if (hasExport(compiled, "_initialize")) {
                // WASI reactors (C, Rust cdylib) set up their runtime here, once per instance.
                instance.export("_initialize").apply();
            }
            // Lines the start function or _initialize dropped are told about now.
            kernel.endCall();
        } catch (RuntimeException | Error e) {
            kernel.endCall();
            close();
            if (meter != null && meter.exhausted()) {
                throw new PluginFuelExhaustedException(pluginId, "instantiation (start function)", meter.budget(),
                        meter.consumed());
            }
            throw e;
        }
    }

    /**
     * Instantiates a component: all its core instances, under one memory budget and, when metered, one
     * fuel meter; their start functions run on the meter's budget.
     */
    PluginInstance(Plugin plugin, FuelMeter meter, ComponentPlan plan) {
        this.pluginId = plugin.id();
        this.meter = meter;
        this.budget = new MemoryBudget(pluginId, plugin.policy().maxMemoryBytes());
        this.kernel = null;
        this.wasi = null;
        this.instance = null;
        try {
            this.component = new ComponentInstance(plan, pluginId, budget, meter, plugin::memoryLimits,
                    plugin.policy().maxInputBytes(), plugin.policy().maxOutputBytes());
        } catch (RuntimeException | Error e) {
            if (meter != null && meter.exhausted()) {
                throw new PluginFuelExhaustedException(pluginId, "instantiation (start function)", meter.budget(),
                        meter.consumed());
            }
            throw e;
        }
        this.compiledTier = component.compiledTier();
    }

    /**
     * Calls a component's export with host values and, when metered, a fresh fuel budget (the same
     * accounting as {@link #invoke} for a module).
     */
    Object callComponent(String export, Object[] arguments, long fuelBudget, long maxInputBytes, long maxOutputBytes) {
        budget.resetHighWater();
        if (meter != null) {
            meter.refill(fuelBudget);
        }
        return component.call(export, arguments, maxInputBytes, maxOutputBytes);
    }

    private static boolean hasExport(CompiledModule compiled, String name) {
        var exports = compiled.module().exportSection();
        for (int i = 0; i < exports.exportCount(); i++) {
            if (exports.getExport(i).name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Calls an Extism export ({@code () -> i32}) with the given input and, when metered, a fresh
     * fuel budget.
     *
     * @return the output bytes
     * @throws PluginCallException when the plugin reports an error or a non-zero code
     */
    byte[] invoke(String export, byte[] input, long fuelBudget) {
        kernel.beginCall(export, input);
        budget.resetHighWater();
        if (meter != null) {
            meter.refill(fuelBudget);
        }
        try {
            ExportFunction function = exportFunctions.get(export);
            if (function == null) {
                function = instance.export(export);
                exportFunctions.put(export, function);
            }
            long rc;
            try {
                long[] results = function.apply();
                rc = results == null || results.length == 0 ? 0 : results[0];
            } catch (WasiExitException e) {
                rc = e.exitCode();
                if (rc != 0 && kernel.error() == null) {
                    throw new PluginCallException(pluginId, export, "exited with code " + rc);
                }
            }
            if (kernel.error() != null) {
                throw new PluginCallException(pluginId, export, kernel.error());
            }
            if (rc != 0) {
                throw new PluginCallException(pluginId, export, "returned code " + rc);
            }
            // Read now, as Extism does: the plugin may write its output's bytes after output_set.
            return kernel.output();
        } finally {
            kernel.endCall();
        }
    }

    /**
     * Runs a WASI command's {@code _start} with a fresh fuel budget.
     *
     * @return the exit code: 0 when {@code _start} returns, else the code given to {@code proc_exit}
     */
    int runCommand(long fuelBudget) {
        budget.resetHighWater();
        if (meter != null) {
            meter.refill(fuelBudget);
        }
        kernel.logBudget().beginCall("_start");
        try {
            instance.export("_start").apply();
            return 0;
        } catch (WasiExitException e) {
            return e.exitCode();
        } finally {
            kernel.logBudget().endCall();
        }
    }

    /**
     * Records the instance's state as it is now, right after instantiation, so that {@link #reset()}
     * can put it back: every linear memory (contents and size), every mutable global, every table
     * (size and entries), the element segments, the kernel's vars and the memory accounts (the
     * kernel's blocks are forgotten at the start of every call anyway).
     */
    void snapshot() {
        if (component != null) {
            component.snapshot();
            componentAccounts = budget.accounts();
            return;
        }
        InstanceState state = InstanceState.of(instance);
        for (BudgetedMemory memory : memories) {
            memory.snapshot();
        }
        snapshot = new Snapshot(state, kernel.vars(), budget.accounts());
    }

    /**
     * Puts the instance back in its state right after instantiation (see {@link #snapshot()}), paying
     * for what the last call changed. Only for an instance whose call ended normally: one that trapped,
     * ran out of a limit or was interrupted is discarded instead, never reset.
     *
     * @return false when the call changed something a reset cannot undo (a table grew, a data segment
     *     was dropped): the instance must then be discarded
     */
    boolean reset() {
        if (component != null) {
            if (componentAccounts == null || !component.reset()) {
                return false;
            }
            budget.restore(componentAccounts);
            return true;
        }
        if (snapshot == null) {
            return false;
        }
        if (!snapshot.state().tablesUnchanged(instance)) {
            return false;
        }
        for (BudgetedMemory memory : memories) {
            if (memory.restore(instance) < 0) {
                return false;
            }
        }
        snapshot.state().restore(instance);
        kernel.resetTo(snapshot.vars());
        budget.restore(snapshot.accounts());
        return true;
    }

    /** Whether the instance runs compiled code rather than the interpreter. */
    boolean compiledTier() {
        return compiledTier;
    }

    MemoryBudget budget() {
        return budget;
    }

    /** The fuel meter, or {@code null} when unmetered. */
    FuelMeter meter() {
        return meter;
    }

    Instance instance() {
        return instance;
    }

    @Override
    public void close() {
        if (wasi != null) {
            wasi.close();
        }
    }
}
