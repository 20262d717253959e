package dev.graft.api.policy;

/** How a plugin's Wasm instances are reused across calls. */
public enum InstanceMode {
    /** A new instance for every call: no state crosses calls. The default. */
    FRESH,
    /** A bounded pool of instances, each used by one thread at a time; vars and globals persist. */
    POOLED
}
