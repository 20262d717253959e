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

    /** What {@link #callTyped} returns when the plugin takes byte payloads: the caller encodes instead. */
    Object NOT_TYPED = new Object() {
        @Override
        public String toString() {
            return "NOT_TYPED";
        }
    };

    /**
     * Calls a contract method's export with Java values directly, when the plugin takes typed values (a
     * WebAssembly component, through the canonical ABI); a plugin of byte payloads returns
     * {@link #NOT_TYPED} without calling anything, and the caller encodes the argument itself.
     *
     * @param fuelBudget the call's fuel, or {@code 0} or less for the policy's
     */
    default Object callTyped(java.lang.reflect.Method method, String export, Object[] args, long fuelBudget) {
        return NOT_TYPED;
    }

    /** The policy's fuel per call, or {@code 0} when calls are not metered. */
    default long fuelBudget() {
        return 0;
    }
}
