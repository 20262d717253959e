package dev.graft.api;

import java.time.Duration;

/**
 * A call was refused without reaching the plugin because its circuit breaker is open: the plugin failed
 * {@link #failureThreshold()} calls in a row and is quarantined until its {@link #coolDown()} has passed,
 * after which one trial call decides whether it serves again.
 */
public class PluginQuarantinedException extends PluginUnavailableException {

    private final int failureThreshold;
    private final Duration coolDown;
    private final Duration remaining;

    public PluginQuarantinedException(String pluginId, String export, int failureThreshold, Duration coolDown,
            Duration remaining) {
        super(pluginId, "is quarantined after " + failureThreshold + " consecutive failures (failure-threshold "
                + failureThreshold + "); call to '" + export + "' refused; a trial call is let through once the "
                + "cool-down of " + PluginTimeoutException.format(coolDown) + " has passed ("
                + PluginTimeoutException.format(remaining) + " left)");
        this.failureThreshold = failureThreshold;
        this.coolDown = coolDown;
        this.remaining = remaining;
    }

    /** Consecutive failures that opened the breaker. */
    public int failureThreshold() {
        return failureThreshold;
    }

    /** How long the plugin stays quarantined before a trial call. */
    public Duration coolDown() {
        return coolDown;
    }

    /** How much of the cool-down was left when the call was refused. */
    public Duration remaining() {
        return remaining;
    }
}
