package dev.graft.host.registry;

import static dev.graft.host.registry.RegistryFixtures.answering;
import static dev.graft.host.registry.RegistryFixtures.pausingThenAnswering;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.Extensions;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginQuarantinedException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.binding.JacksonPayloadCodec;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.registry.RegistryFixtures.Greeter;
import dev.graft.host.source.PluginSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Circuit breaker, fallback, interceptors and statistics through a registry's views. */
class FailurePolicyTest {

    final GraftEngine engine = GraftEngine.create();
    final MutableClock clock = new MutableClock();
    final PluginRegistry registry = new PluginRegistry(engine, new JacksonPayloadCodec(), clock);
    final AtomicBoolean failing = new AtomicBoolean(true);
    final AtomicInteger reached = new AtomicInteger();

    @AfterEach
    void close() {
        registry.close();
    }

    /** A plugin whose host function "pause" fails while {@link #failing} is set. */
    PluginSpec flaky(String id) {
        return PluginSpec.builder(PluginSource.ofBytes(id, pausingThenAnswering(id)))
                .policy(PluginPolicy.builder().capabilities(Capabilities.builder().hostFunction("pause").build()).build())
                .hostFunction("pause", (pluginId, in) -> {
                    reached.incrementAndGet();
                    if (failing.get()) {
                        throw new IllegalStateException("backend down");
                    }
                    return new byte[0];
                })
                .extensionPoint(Greeter.class).build();
    }

    @Test
    void theBreakerQuarantinesAfterConsecutiveFailuresAndReadmitsAfterTheCoolDown() {
        registry.configureBreaker(3, Duration.ofSeconds(30));
        registry.load(flaky("f"));
        Greeter greeter = registry.extensions(Greeter.class).list().get(0);
        for (int i = 0; i < 3; i++) {
            assertThrows(PluginCallException.class, () -> greeter.greet("x"));
        }
        assertEquals(PluginState.QUARANTINED, registry.descriptor("f").orElseThrow().state());
        assertFalse(registry.descriptor("f").orElseThrow().serving());
        assertEquals(List.of("f"), registry.extensions(Greeter.class).pluginIds(), "still listed while quarantined");

        PluginQuarantinedException refused = assertThrows(PluginQuarantinedException.class, () -> greeter.greet("x"));
        assertEquals(3, reached.get(), "refused without running the plugin");
        assertEquals("f", refused.pluginId());
        assertEquals(3, refused.failureThreshold());
        assertEquals(Duration.ofSeconds(30), refused.coolDown());
        assertTrue(refused.getMessage().contains("plugin 'f'") && refused.getMessage().contains("3 consecutive failures")
                && refused.getMessage().contains("30000 ms"), refused.getMessage());

        clock.advance(Duration.ofSeconds(30));
        failing.set(false);
        assertEquals("f", greeter.greet("x"), "the trial call runs and succeeds");
        assertEquals(PluginState.ENABLED, registry.descriptor("f").orElseThrow().state());
        CircuitBreaker.Status status = registry.breaker("f").orElseThrow();
        assertEquals(1, status.timesOpened());
        assertEquals(1, status.rejectedCalls());
    }

    @Test
    void enablingOrReloadingEndsAQuarantine() {
        registry.configureBreaker(1, Duration.ofHours(1));
        registry.load(flaky("f"));
        Greeter greeter = registry.extensions(Greeter.class).list().get(0);
        assertThrows(PluginCallException.class, () -> greeter.greet("x"));
        assertThrows(PluginQuarantinedException.class, () -> greeter.greet("x"));
        registry.enable("f");
        assertThrows(PluginCallException.class, () -> greeter.greet("x"), "reaches the plugin again");
        registry.reload("f");
        failing.set(false);
        assertEquals("f", greeter.greet("x"));
    }

    @Test
    void theFallbackAnswersForAFailingOrQuarantinedPlugin() {
        registry.configureBreaker(2, Duration.ofSeconds(30));
        registry.setFallback(Greeter.class, name -> "default for " + name);
        registry.load(flaky("f"));
        Greeter greeter = registry.extensions(Greeter.class).list().get(0);
        assertEquals("default for a", greeter.greet("a"));
        assertEquals("default for b", greeter.greet("b"));
        assertEquals(PluginState.QUARANTINED, registry.descriptor("f").orElseThrow().state());
        assertEquals("default for c", greeter.greet("c"));
        assertEquals(2, reached.get());
        assertEquals(3, registry.breaker("f").orElseThrow().fallbacks());

        registry.setFallback(Greeter.class, (Greeter) null);
        assertThrows(PluginQuarantinedException.class, () -> greeter.greet("d"));
    }

    @Test
    void fuelAndPayloadRefusalsDoNotQuarantine() {
        registry.configureBreaker(1, Duration.ofHours(1));
        registry.load(PluginSpec.builder(PluginSource.ofBytes("tight", answering("hello")))
                .policy(PluginPolicy.builder().fuel(10).maxInputBytes(64).build()).extensionPoint(Greeter.class).build());
        Greeter greeter = registry.extensions(Greeter.class).list().get(0);
        // Too little fuel and too big an input say something about this call, not about the plugin.
        assertThrows(dev.graft.api.PluginFuelExhaustedException.class, () -> greeter.greet("x"));
        assertThrows(dev.graft.api.PluginPayloadException.class, () -> greeter.greet("x".repeat(100)));
        assertEquals(PluginState.ENABLED, registry.descriptor("tight").orElseThrow().state());
    }

    @Test
    void viewsHonourTheSpecsFuelBudgetHook() {
        registry.load(PluginSpec.builder(PluginSource.ofBytes("scaled", answering("hello")))
                .policy(PluginPolicy.builder().fuel(10).build()).extensionPoint(Greeter.class)
                .fuelBudget(Greeter.class, (String name, long base) -> base + 1_000_000L).build());
        // The policy's 10 units would not do; the hook's budget does.
        assertEquals("hello", registry.extensions(Greeter.class).list().get(0).greet("x"));
    }

    @Test
    void thresholdZeroSwitchesTheBreakerOff() {
        registry.configureBreaker(0, Duration.ofSeconds(30));
        registry.load(flaky("f"));
        Greeter greeter = registry.extensions(Greeter.class).list().get(0);
        for (int i = 0; i < 20; i++) {
            assertThrows(PluginCallException.class, () -> greeter.greet("x"));
        }
        assertEquals(PluginState.ENABLED, registry.descriptor("f").orElseThrow().state());
    }

    @Test
    void reloadByIdReadsTheLocationAgain(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("g.wasm"), answering("v1"));
        registry.load(PluginSpec.builder(PluginSource.ofFile(file)).extensionPoint(Greeter.class).build());
        Extensions<Greeter> greeters = registry.extensions(Greeter.class);
        assertEquals("v1", greeters.list().get(0).greet("x"));
        Files.write(file, answering("v2"));
        registry.reload("g");
        assertEquals("v2", greeters.list().get(0).greet("x"));
        assertThrows(IllegalArgumentException.class, () -> registry.reload("nope"));
    }

    @Test
    void interceptorsWrapEveryCallAndStatisticsCountOutcomes() {
        PluginStatistics statistics = PluginStatistics.attachTo(engine);
        List<String> seen = new ArrayList<>();
        registry.addCallInterceptor((pluginId, type, export, call) -> {
            seen.add("before " + pluginId + " " + type.getSimpleName() + "." + export);
            try {
                return call.proceed();
            } finally {
                seen.add("after");
            }
        });
        registry.load(flaky("f"));
        Greeter greeter = registry.extensions(Greeter.class).list().get(0);
        assertThrows(PluginCallException.class, () -> greeter.greet("x"));
        failing.set(false);
        greeter.greet("x");
        greeter.greet("x");
        assertEquals(List.of("before f Greeter.greet", "after", "before f Greeter.greet", "after",
                "before f Greeter.greet", "after"), seen);

        PluginStatistics.Snapshot stats = statistics.of("f").orElseThrow();
        assertEquals(3, stats.calls());
        assertEquals(1, stats.failed());
        assertEquals(1L, stats.failures().get("error"));
        assertTrue(stats.fuelTotal() > 0 && stats.fuelLast() > 0, stats.toString());
        assertTrue(stats.memoryHighWaterBytes() >= 65536, stats.toString());
        assertTrue(stats.latencyMaxMillis() >= stats.latencyMeanMillis() && stats.latencyMeanMillis() > 0);
        assertEquals(3, statistics.byExport("f").get("greet").calls());
        assertTrue(statistics.of("other").isEmpty());
        engine.removeCallListener(statistics);
    }
}
