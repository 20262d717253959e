package dev.graft.host.engine;

import java.util.Optional;

/**
 * What one successful call cost.
 *
 * @param elapsedNanos wall-clock time of the call, instantiation included for fresh instances
 * @param memoryHighWaterBytes the most memory the instance held during the call (linear memory,
 *     ABI buffers and vars)
 * @param fuelConsumed fuel charged to the call (instructions, bulk bytes, grown pages, host calls),
 *     or -1 when the plugin is not metered
 * @param sha256 the digest of the module or component that ran the call (the version serving it, when a
 *     registry swaps versions), or {@code null} when unknown
 */
public record CallStats(long elapsedNanos, long memoryHighWaterBytes, long fuelConsumed, String sha256) {

    /** Stats without a module digest. */
    public CallStats(long elapsedNanos, long memoryHighWaterBytes, long fuelConsumed) {
        this(elapsedNanos, memoryHighWaterBytes, fuelConsumed, null);
    }

    private static final ThreadLocal<CallStats> LAST = new ThreadLocal<>();

    /**
     * The stats of the last plugin call made on this thread if it succeeded (empty after a failed
     * one), for typed calls whose result is a plain Java value.
     */
    public static Optional<CallStats> lastOnThisThread() {
        return Optional.ofNullable(LAST.get());
    }

    static void recordOnThisThread(CallStats stats) {
        LAST.set(stats);
    }
}
