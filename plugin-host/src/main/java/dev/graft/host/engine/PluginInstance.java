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
import dev.graft.host.metering.FuelMeter;
import dev.graft.host.policy.BudgetedMemory;
import dev.graft.host.policy.BudgetedTable;
import dev.graft.host.policy.MemoryBudget;
import dev.graft.host.policy.WasiSandbox;

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
    private final ExtismKernel kernel;
    private final MemoryBudget budget;
    private final WasiSandbox.Session wasi;
    private final FuelMeter meter;

    /**
     * Instantiates the plugin; the start function and {@code _initialize} run here, on the meter's
     * budget when the plugin is metered.
     *
     * @param meter the instance's fuel meter, or {@code null} when unmetered
     * @param command arguments, environment, stdin and stdout of a WASI command run, or {@code null}
     */
    PluginInstance(Plugin plugin, FuelMeter meter, WasiSandbox.CommandIo command) {
        this.pluginId = plugin.id();
        this.meter = meter;
        this.budget = new MemoryBudget(pluginId, plugin.policy().maxMemoryBytes());
        this.kernel = new ExtismKernel(pluginId, plugin.config(), plugin.hostFunctions(),
                plugin.policy().maxVarBytes(), plugin.policy().maxOutputBytes(), plugin.policy().maxLogBytes(), budget,
                plugin.log(), meter, plugin.http());
        this.wasi = !plugin.linker().usesWasi() ? null
                : command == null ? plugin.wasi().open(plugin.log(), kernel.logBudget())
                : plugin.wasi().open(plugin.log(), command, kernel.logBudget());
        try {
            CompiledModule compiled = plugin.compiled();
            Instance.Builder builder = Instance.builder(compiled.module())
                    // A WASI command's _start runs when the host runs the command, never on instantiation.
                    .withStart(false)
                    .withImportValues(plugin.linker().link(kernel, wasi, meter))
                    .withMemoryFactory(limits -> new BudgetedMemory(plugin.memoryLimits(limits), budget))
                    .withTableFactory(BudgetedTable.factory(budget));
            if (meter != null) {
                builder.withGlobalFactory(meter);
            }
            if (compiled.machineFactory() != null) {
                builder.withMachineFactory(compiled.machineFactory());
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
            ExportFunction function = instance.export(export);
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
