package dev.graft.api.policy;

/** How a plugin's code runs. */
public enum ExecutionMode {
    /** Translated once to JVM bytecode (Chicory's runtime compiler) before the plugin's first call. */
    COMPILED,
    /** Chicory's interpreter only: no compilation cost, slower calls. */
    INTERPRETED,
    /**
     * The default: the plugin serves calls in the interpreter as soon as it is parsed and metered while
     * it is compiled in the background; the compiled code takes over between calls. Fuel is identical
     * in both tiers, so the switch only changes speed. A compile cache hit starts compiled at once.
     */
    TIERED
}
