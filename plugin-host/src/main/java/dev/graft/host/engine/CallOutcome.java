package dev.graft.host.engine;

import dev.graft.api.PluginCallException;
import dev.graft.api.PluginCapabilityException;
import dev.graft.api.PluginException;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.PluginMemoryLimitException;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.PluginTimeoutException;

/** How a plugin call ended, for metrics and statistics. */
public enum CallOutcome {
    OK,
    /** The plugin reported an error, or a host function it called failed. */
    ERROR,
    TRAP,
    FUEL,
    TIMEOUT,
    MEMORY,
    /** A capability was denied. */
    DENIED,
    PAYLOAD;

    /** The outcome a refusal stands for. */
    public static CallOutcome of(PluginException e) {
        if (e instanceof PluginFuelExhaustedException) {
            return FUEL;
        }
        if (e instanceof PluginTimeoutException) {
            return TIMEOUT;
        }
        if (e instanceof PluginMemoryLimitException) {
            return MEMORY;
        }
        if (e instanceof PluginCapabilityException) {
            return DENIED;
        }
        if (e instanceof PluginPayloadException) {
            return PAYLOAD;
        }
        if (e instanceof PluginCallException) {
            return ERROR;
        }
        return TRAP;
    }
}
