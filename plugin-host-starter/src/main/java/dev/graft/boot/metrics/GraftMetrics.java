package dev.graft.boot.metrics;

import dev.graft.api.PluginException;
import dev.graft.host.engine.CallListener;
import dev.graft.host.engine.CallOutcome;
import dev.graft.host.engine.CallStats;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.registry.CircuitBreaker;
import dev.graft.host.registry.PluginRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Micrometer meters for every plugin call, fed by the engine's {@link CallListener} hook. Per plugin and
 * export: timer {@code graft.plugin.calls} (tag {@code outcome}: ok, error, trap, fuel, timeout, memory,
 * denied, payload), distribution summary {@code graft.plugin.fuel}, gauge
 * {@code graft.plugin.memory.high-water} (bytes) and counter {@code graft.plugin.capability.denials}. Per
 * plugin: gauge {@code graft.plugin.quarantined} (1 while its circuit breaker is open), function counters
 * {@code graft.plugin.quarantines} (times the breaker opened), {@code graft.plugin.rejected} (calls refused
 * while quarantined) and {@code graft.plugin.fallbacks} (calls answered by the Java default). Meters of a
 * plugin appear with its first call.
 */
public class GraftMetrics implements CallListener, AutoCloseable {

    static final String CALLS = "graft.plugin.calls";
    static final String FUEL = "graft.plugin.fuel";
    static final String MEMORY = "graft.plugin.memory.high-water";
    static final String DENIALS = "graft.plugin.capability.denials";
    static final String QUARANTINED = "graft.plugin.quarantined";

    /** The meters of one export. */
    private final class ExportMeters {
        final Map<CallOutcome, Timer> timers = new EnumMap<>(CallOutcome.class);
        final DistributionSummary fuel;
        final Counter denials;
        final AtomicLong memoryHighWater = new AtomicLong();
        final String plugin;
        final String export;

        ExportMeters(String plugin, String export) {
            this.plugin = plugin;
            this.export = export;
            for (CallOutcome outcome : CallOutcome.values()) {
                timers.put(outcome, Timer.builder(CALLS).description("Plugin calls, by outcome")
                        .tags("plugin", plugin, "export", export, "outcome", outcome.name().toLowerCase(Locale.ROOT))
                        .register(meters));
            }
            fuel = DistributionSummary.builder(FUEL).description("Fuel used per call").baseUnit("fuel")
                    .tags("plugin", plugin, "export", export).register(meters);
            denials = Counter.builder(DENIALS).description("Calls refused for a capability the plugin lacks")
                    .tags("plugin", plugin, "export", export).register(meters);
            Gauge.builder(MEMORY, memoryHighWater, AtomicLong::get).description("Most memory a call held")
                    .baseUnit("bytes").tags("plugin", plugin, "export", export).strongReference(true).register(meters);
        }
    }

    private final MeterRegistry meters;
    private final PluginRegistry registry;
    private final GraftEngine engine;
    private final Map<String, Map<String, ExportMeters>> byPlugin = new ConcurrentHashMap<>();

    /** Meters in {@code meters} for every call of the engine's plugins, from now on. */
    public GraftMetrics(MeterRegistry meters, GraftEngine engine, PluginRegistry registry) {
        this.meters = meters;
        this.engine = engine;
        this.registry = registry;
        engine.addCallListener(this);
    }

    @Override
    public void onCall(String pluginId, String export, CallOutcome outcome, CallStats stats, PluginException failure) {
        ExportMeters m = byPlugin.computeIfAbsent(pluginId, this::pluginMeters)
                .computeIfAbsent(export, e -> new ExportMeters(pluginId, e));
        m.timers.get(outcome).record(stats.elapsedNanos(), TimeUnit.NANOSECONDS);
        if (stats.fuelConsumed() >= 0) {
            m.fuel.record(stats.fuelConsumed());
        }
        if (stats.memoryHighWaterBytes() > 0) {
            m.memoryHighWater.accumulateAndGet(stats.memoryHighWaterBytes(), Math::max);
        }
        if (outcome == CallOutcome.DENIED) {
            m.denials.increment();
        }
    }

    /** The per-plugin meters (breaker), registered once. */
    private Map<String, ExportMeters> pluginMeters(String pluginId) {
        Gauge.builder(QUARANTINED, registry, r -> r.breaker(pluginId).map(s -> s.quarantined() ? 1.0 : 0.0).orElse(0.0))
                .description("1 while the plugin's circuit breaker is open").tags("plugin", pluginId)
                .strongReference(true).register(meters);
        FunctionCounter.builder("graft.plugin.quarantines", registry, r -> breakerCount(r, pluginId, CircuitBreaker.Status::timesOpened))
                .description("Times the plugin was quarantined").tags("plugin", pluginId).register(meters);
        FunctionCounter.builder("graft.plugin.rejected", registry, r -> breakerCount(r, pluginId, CircuitBreaker.Status::rejectedCalls))
                .description("Calls refused while the plugin was quarantined").tags("plugin", pluginId).register(meters);
        FunctionCounter.builder("graft.plugin.fallbacks", registry, r -> breakerCount(r, pluginId, CircuitBreaker.Status::fallbacks))
                .description("Calls answered by the extension point's Java default").tags("plugin", pluginId)
                .register(meters);
        return new ConcurrentHashMap<>();
    }

    private static double breakerCount(PluginRegistry registry, String pluginId,
            java.util.function.ToLongFunction<CircuitBreaker.Status> count) {
        return registry.breaker(pluginId).map(count::applyAsLong).orElse(0L);
    }

    /** Stops listening to the engine. */
    @Override
    public void close() {
        engine.removeCallListener(this);
    }
}
