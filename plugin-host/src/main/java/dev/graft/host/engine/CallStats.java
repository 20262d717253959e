package dev.graft.host.engine;

/**
 * What one successful call cost.
 *
 * @param elapsedNanos wall-clock time of the call, instantiation included for fresh instances
 * @param memoryHighWaterBytes the most memory the instance held during the call (linear memory,
 *     ABI buffers and vars)
 * @param fuelConsumed instructions charged, or -1 when the plugin is not metered
 */
public record CallStats(long elapsedNanos, long memoryHighWaterBytes, long fuelConsumed) {
}
