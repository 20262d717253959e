package dev.graft.api.policy;

/** How a plugin's code runs. */
public enum ExecutionMode {
    /** Translated once to JVM bytecode (Chicory's runtime compiler). The default and much faster. */
    COMPILED,
    /** Chicory's interpreter: no compilation cost, slower calls. */
    INTERPRETED
}
