package dev.graft.host.binding;

import dev.graft.host.engine.CallResult;

/** Something that calls a plugin export with bytes: what a typed proxy needs of a plugin. */
public interface PluginCaller {

    /** Calls the export with the input under the policy's fuel budget. */
    CallResult call(String export, byte[] input);

    /**
     * Calls the export with the input under the given fuel budget; a caller without metering ignores
     * the budget.
     */
    default CallResult call(String export, byte[] input, long fuelBudget) {
        return call(export, input);
    }

    /** The policy's fuel per call, or {@code 0} when calls are not metered. */
    default long fuelBudget() {
        return 0;
    }
}
