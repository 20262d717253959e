package dev.graft.host.registry;

/** Whether a registered plugin is serving calls. */
public enum PluginState {
    /** Loaded and listed in extension views. */
    ENABLED,
    /**
     * Loaded and enabled, but its circuit breaker is open after consecutive failures: still listed in
     * views, its calls are refused (or answered by the extension point's fallback) until a trial call
     * after the cool-down succeeds.
     */
    QUARANTINED,
    /** Loaded but switched off: not listed, and calls through registry proxies are refused. */
    DISABLED,
    /** No version of the plugin could be loaded; the descriptor's last error says why. */
    FAILED
}
