package dev.graft.host.engine;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.wasm.ChicoryException;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginException;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.PluginMemoryLimitException;
import dev.graft.api.PluginTimeoutException;
import dev.graft.api.PluginTrapException;
import dev.graft.host.abi.HostFunctionFailure;
import dev.graft.host.metering.FuelMeter;
import dev.graft.host.policy.MemoryBudget;
import java.time.Duration;

/**
 * Turns whatever a call threw into exactly one {@link PluginException} subclass naming the plugin, the
 * knob and what was attempted, so that no plugin-caused failure reaches the host as another type.
 */
final class FailureTranslator {

    private final String pluginId;
    private final Duration timeout;
    private final long memoryLimit;

    FailureTranslator(String pluginId, Duration timeout, long memoryLimit) {
        this.pluginId = pluginId;
        this.timeout = timeout;
        this.memoryLimit = memoryLimit;
    }

    /**
     * @param failure what the call threw
     * @param attempted e.g. "call to 'apply'"
     * @param timedOut whether the watchdog fired during the call
     * @param elapsedNanos how long the call ran
     * @param budget the instance's memory account, or {@code null} when instantiation failed
     * @param meter the instance's fuel meter, or {@code null} when unmetered
     */
    PluginException translate(Throwable failure, String export, String attempted, boolean timedOut, long elapsedNanos,
            MemoryBudget budget, FuelMeter meter) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PluginException pe) {
                return pe;
            }
            if (t instanceof HostFunctionFailure hf) {
                return new PluginCallException(pluginId, export, "host function '" + hf.functionName() + "' failed: "
                        + GraftEngine.describe(hf.getCause()), hf.getCause());
            }
        }
        if (meter != null && meter.exhausted()) {
            // The metered code wrote its negative fuel back and trapped: that trap is the budget's.
            return new PluginFuelExhaustedException(pluginId, attempted, meter.budget(), meter.consumed());
        }
        if (timedOut || hasCause(failure, ChicoryInterruptedException.class) || hasCause(failure, InterruptedException.class)) {
            return new PluginTimeoutException(pluginId, attempted, timeout, Duration.ofNanos(elapsedNanos));
        }
        if (hasCause(failure, StackOverflowError.class)) {
            return new PluginTrapException(pluginId, export, "call stack exhausted", failure);
        }
        if (budget != null && budget.refusedGrowBytes() >= 0) {
            // The plugin asked for memory, got -1, and then failed: report the cause, not the symptom.
            return new PluginMemoryLimitException(pluginId, MemoryBudget.MAX_MEMORY, memoryLimit,
                    budget.refusedGrowBytes(), attempted + " grew a memory or table, was refused (max-memory), then trapped ("
                            + GraftEngine.describe(failure) + ")", failure);
        }
        if (failure instanceof OutOfMemoryError) {
            return new PluginTrapException(pluginId, export, "the host ran out of memory during the call", failure);
        }
        if (failure instanceof ChicoryException || failure instanceof ArithmeticException
                || failure instanceof IndexOutOfBoundsException) {
            return new PluginTrapException(pluginId, export, GraftEngine.describe(failure), failure);
        }
        return new PluginTrapException(pluginId, export, "engine failure: " + failure, failure);
    }

    private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
