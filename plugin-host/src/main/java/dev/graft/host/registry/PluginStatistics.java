package dev.graft.host.registry;

import dev.graft.api.PluginException;
import dev.graft.host.engine.CallListener;
import dev.graft.host.engine.CallOutcome;
import dev.graft.host.engine.CallStats;
import dev.graft.host.engine.GraftEngine;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Call statistics per plugin and export, fed by an engine's {@link CallListener} hook: calls, failures
 * by outcome, fuel, latency and the memory high-water mark. Kept since the listener was added, across
 * reloads of a plugin. Framework-free and thread-safe.
 *
 * <pre>{@code
 * PluginStatistics statistics = PluginStatistics.attachTo(engine);
 * statistics.of("volume-discount").ifPresent(s -> log.info("{} calls", s.calls()));
 * }</pre>
 */
public final class PluginStatistics implements CallListener {

    /**
     * Statistics of a plugin (all exports) or of one export.
     *
     * @param calls calls that reached the engine
     * @param failures failed calls by outcome, lower case ({@code trap}, {@code fuel}, …); absent outcomes
     *     are left out
     * @param fuelTotal fuel of all metered calls
     * @param fuelLast fuel of the last metered call, or -1 before one
     * @param latencyMeanMillis mean wall-clock time of a call
     * @param latencyMaxMillis longest call
     * @param memoryHighWaterBytes the most memory any call held
     */
    public record Snapshot(long calls, Map<String, Long> failures, long fuelTotal, long fuelLast,
            double latencyMeanMillis, double latencyMaxMillis, long memoryHighWaterBytes) {

        static final Snapshot EMPTY = new Snapshot(0, Map.of(), 0, -1, 0, 0, 0);

        /** Failed calls of every outcome. */
        public long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Running totals of a plugin or export; updated under its own lock (cheap and uncontended per export). */
    private static final class Totals {
        private long calls;
        private final EnumMap<CallOutcome, Long> failures = new EnumMap<>(CallOutcome.class);
        private long fuelTotal;
        private long fuelLast = -1;
        private long nanosTotal;
        private long nanosMax;
        private long memoryHighWater;

        synchronized void add(CallOutcome outcome, CallStats stats) {
            calls++;
            if (outcome != CallOutcome.OK) {
                failures.merge(outcome, 1L, Long::sum);
            }
            if (stats.fuelConsumed() >= 0) {
                fuelTotal += stats.fuelConsumed();
                fuelLast = stats.fuelConsumed();
            }
            nanosTotal += stats.elapsedNanos();
            nanosMax = Math.max(nanosMax, stats.elapsedNanos());
            memoryHighWater = Math.max(memoryHighWater, stats.memoryHighWaterBytes());
        }

        synchronized Snapshot snapshot() {
            Map<String, Long> byOutcome = new LinkedHashMap<>();
            failures.forEach((outcome, count) -> byOutcome.put(outcome.name().toLowerCase(java.util.Locale.ROOT), count));
            return new Snapshot(calls, Collections.unmodifiableMap(byOutcome), fuelTotal, fuelLast,
                    calls == 0 ? 0 : nanosTotal / 1e6 / calls, nanosMax / 1e6, memoryHighWater);
        }

        synchronized long memoryHighWater() {
            return memoryHighWater;
        }
    }

    private static final class PluginTotals {
        final Totals all = new Totals();
        final Map<String, Totals> byExport = new ConcurrentHashMap<>();
    }

    private final Map<String, PluginTotals> plugins = new ConcurrentHashMap<>();

    /** Statistics of every call the engine's plugins make from now on. */
    public static PluginStatistics attachTo(GraftEngine engine) {
        PluginStatistics statistics = new PluginStatistics();
        engine.addCallListener(statistics);
        return statistics;
    }

    @Override
    public void onCall(String pluginId, String export, CallOutcome outcome, CallStats stats, PluginException failure) {
        PluginTotals totals = plugins.computeIfAbsent(pluginId, id -> new PluginTotals());
        totals.all.add(outcome, stats);
        totals.byExport.computeIfAbsent(export, e -> new Totals()).add(outcome, stats);
    }

    /** The plugin's statistics over all exports, when it was called. */
    public Optional<Snapshot> of(String pluginId) {
        PluginTotals totals = plugins.get(pluginId);
        return totals == null ? Optional.empty() : Optional.of(totals.all.snapshot());
    }

    /** The plugin's statistics over all exports; all zero when it was never called. */
    public Snapshot ofOrEmpty(String pluginId) {
        return of(pluginId).orElse(Snapshot.EMPTY);
    }

    /** The plugin's statistics per export, by export name. */
    public Map<String, Snapshot> byExport(String pluginId) {
        PluginTotals totals = plugins.get(pluginId);
        if (totals == null) {
            return Map.of();
        }
        Map<String, Snapshot> result = new TreeMap<>();
        totals.byExport.forEach((export, t) -> result.put(export, t.snapshot()));
        return Collections.unmodifiableMap(result);
    }

    /** The most memory any call of the export held (0 before a call). */
    public long memoryHighWater(String pluginId, String export) {
        PluginTotals totals = plugins.get(pluginId);
        Totals t = totals == null ? null : totals.byExport.get(export);
        return t == null ? 0 : t.memoryHighWater();
    }

    /** Forgets a plugin's statistics. */
    public void forget(String pluginId) {
        plugins.remove(pluginId);
    }
}
