package dev.graft.host.registry;

import static dev.graft.host.registry.RegistryFixtures.answering;
import static dev.graft.host.registry.RegistryFixtures.pausingThenAnswering;
import static dev.graft.host.registry.RegistryFixtures.refusedAtLoad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.Extensions;
import dev.graft.api.PluginLoadException;
import dev.graft.api.PluginUnavailableException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.registry.RegistryFixtures.Greeter;
import dev.graft.host.registry.RegistryFixtures.Other;
import dev.graft.host.source.PluginSource;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PluginRegistryTest {

    static final GraftEngine ENGINE = GraftEngine.create();

    final PluginRegistry registry = new PluginRegistry(ENGINE);

    @AfterEach
    void closeRegistry() {
        registry.close();
    }

    static PluginSpec greeter(String id, byte[] wasm) {
        return PluginSpec.builder(PluginSource.ofBytes(id, wasm)).extensionPoint(Greeter.class).build();
    }

    static List<String> greetings(Extensions<Greeter> view) {
        return view.stream().map(g -> g.greet("x")).toList();
    }

    @Test
    void viewIsOrderedByOrderThenIdAndListsOnlyPluginsClaimingThePoint() {
        registry.load(greeter("c", answering("c")), 5, true);
        registry.load(greeter("a", answering("a")), 10, true);
        registry.load(greeter("b", answering("b")), 5, true);
        registry.load(PluginSpec.builder(PluginSource.ofBytes("o", answering("o"))).extensionPoint(Other.class).build(),
                0, true);

        Extensions<Greeter> greeters = registry.extensions(Greeter.class);
        assertEquals(List.of("b", "c", "a"), greeters.pluginIds());
        assertEquals(List.of("b", "c", "a"), greetings(greeters));
        assertEquals(List.of("o"), registry.extensions(Other.class).pluginIds());
        assertEquals("a", greeters.byId("a").orElseThrow().greet("x"));
        assertTrue(greeters.byId("o").isEmpty(), "o does not claim Greeter");
        assertSame(greeters, registry.extensions(Greeter.class));
        assertEquals(List.of("o", "b", "c", "a"),
                registry.descriptors().stream().map(PluginDescriptor::id).toList());
    }

    @Test
    void enableAndDisableShowAtOnceInAViewObtainedEarlier() {
        Extensions<Greeter> greeters = registry.extensions(Greeter.class);
        assertTrue(greeters.isEmpty());
        registry.load(greeter("a", answering("a")), 1, true);
        registry.load(greeter("b", answering("b")), 2, false);
        assertEquals(List.of("a"), greeters.pluginIds());
        assertEquals(PluginState.DISABLED, registry.descriptor("b").orElseThrow().state());
        assertTrue(registry.plugin("b").isEmpty(), "a disabled plugin is not handed out");

        registry.enable("b");
        assertEquals(List.of("a", "b"), greetings(greeters));
        Greeter heldA = greeters.byId("a").orElseThrow();

        registry.disable("a");
        assertEquals(List.of("b"), greeters.pluginIds());
        assertTrue(greeters.byId("a").isEmpty());
        PluginUnavailableException refused = assertThrows(PluginUnavailableException.class, () -> heldA.greet("x"));
        assertTrue(refused.getMessage().contains("'a'") && refused.getMessage().contains("disabled"), refused.getMessage());

        registry.enable("a");
        assertEquals("a", heldA.greet("x"), "a reference held across disable/enable works again");
        assertThrows(IllegalArgumentException.class, () -> registry.disable("missing"));
    }

    @Test
    void reloadSwapsToTheNewVersionEverywhere() {
        registry.load(greeter("a", answering("v1")));
        Extensions<Greeter> greeters = registry.extensions(Greeter.class);
        Greeter held = greeters.list().get(0);
        Plugin oldPlugin = registry.plugin("a").orElseThrow();
        String oldSha = registry.descriptor("a").orElseThrow().sha256();

        Plugin newPlugin = registry.reload("a", greeter("a", answering("v2")));

        assertEquals(List.of("v2"), greetings(greeters));
        assertEquals("v2", held.greet("x"), "a proxy obtained before the reload follows the swap");
        assertSame(newPlugin, registry.plugin("a").orElseThrow());
        assertNotEquals(oldSha, registry.descriptor("a").orElseThrow().sha256());
        assertNotSame(held, greeters.list().get(0), "the new version has its own proxy");
        assertThrows(IllegalStateException.class, () -> oldPlugin.call("greet", new byte[0]),
                "the old version is closed once no call runs on it");
    }

    @Test
    void reloadWithARegistrationAlsoTakesItsOrderAndEnabledFlag() {
        registry.load(greeter("a", answering("a1")), 1, true);
        registry.load(greeter("b", answering("b")), 2, true);
        Extensions<Greeter> greeters = registry.extensions(Greeter.class);
        registry.reload(new PluginRegistration(greeter("a", answering("a2")), 3, true));
        assertEquals(List.of("b", "a2"), greetings(greeters));
        registry.reload(new PluginRegistration(greeter("a", answering("a3")), 0, false));
        assertEquals(List.of("b"), greetings(greeters));
        assertEquals(PluginState.DISABLED, registry.descriptor("a").orElseThrow().state());
        registry.reload("a", greeter("a", answering("a4")));
        assertEquals(PluginState.DISABLED, registry.descriptor("a").orElseThrow().state(), "the plain reload keeps the flag");
    }

    @Test
    void aCallInFlightDuringAReloadFinishesOnTheOldVersion() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PluginSpec v1 = PluginSpec.builder(PluginSource.ofBytes("a", pausingThenAnswering("v1")))
                .policy(PluginPolicy.builder().timeout(Duration.ofSeconds(20))
                        .capabilities(Capabilities.builder().hostFunction("pause").build()).build())
                .hostFunction("pause", (id, in) -> {
                    entered.countDown();
                    release.await();
                    return new byte[0];
                })
                .extensionPoint(Greeter.class).build();
        registry.load(v1);
        Plugin oldPlugin = registry.plugin("a").orElseThrow();
        Extensions<Greeter> greeters = registry.extensions(Greeter.class);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<String> inFlight = thread.submit(() -> greeters.list().get(0).greet("x"));
            assertTrue(entered.await(10, TimeUnit.SECONDS));

            registry.reload("a", greeter("a", answering("v2")));
            assertEquals(List.of("v2"), greetings(greeters), "new calls use the new version at once");

            release.countDown();
            assertEquals("v1", inFlight.get(10, TimeUnit.SECONDS), "the running call finished on the old version");
            assertThrows(IllegalStateException.class, () -> oldPlugin.call("greet", new byte[0]),
                    "closed after its last call returned");
        } finally {
            release.countDown();
            thread.shutdownNow();
        }
    }

    @Test
    void aReloadThatFailsLeavesTheOldVersionServingAndIsRecorded() {
        registry.load(greeter("a", answering("v1")));
        Extensions<Greeter> greeters = registry.extensions(Greeter.class);

        PluginLoadException failure = assertThrows(PluginLoadException.class,
                () -> registry.reload("a", greeter("a", refusedAtLoad())));
        assertTrue(failure.getMessage().contains("not_granted"), failure.getMessage());

        assertEquals(List.of("v1"), greetings(greeters));
        PluginDescriptor descriptor = registry.descriptor("a").orElseThrow();
        assertEquals(PluginState.ENABLED, descriptor.state());
        assertEquals(failure.getMessage(), descriptor.lastError());

        registry.reload("a", greeter("a", answering("v3")));
        assertEquals(List.of("v3"), greetings(greeters));
        assertNull(registry.descriptor("a").orElseThrow().lastError(), "a successful reload clears the error");
    }

    @Test
    void aPluginThatFailsToLoadIsRecordedAsFailedAndCanBeRetried() {
        assertThrows(PluginLoadException.class, () -> registry.load(greeter("a", refusedAtLoad()), 3, true));
        PluginDescriptor failed = registry.descriptor("a").orElseThrow();
        assertEquals(PluginState.FAILED, failed.state());
        assertNull(failed.sha256());
        assertNull(failed.loadedAt());
        assertEquals(List.of("greeter"), failed.extensionPoints());
        assertTrue(failed.lastError().contains("not_granted"), failed.lastError());
        assertTrue(registry.extensions(Greeter.class).isEmpty());

        registry.reload("a", greeter("a", answering("fixed")));
        PluginDescriptor fixed = registry.descriptor("a").orElseThrow();
        assertEquals(PluginState.ENABLED, fixed.state());
        assertEquals(3, fixed.order());
        assertNotNull(fixed.loadedAt());
        assertEquals(List.of("fixed"), greetings(registry.extensions(Greeter.class)));
    }

    @Test
    void aClaimedTypeThatIsNotAnExtensionPointIsALoadFailureOfThatPlugin() {
        PluginSpec spec = PluginSpec.builder(PluginSource.ofBytes("a", answering("a"))).extensionPoint(Runnable.class)
                .build();
        PluginLoadException failure = assertThrows(PluginLoadException.class, () -> registry.load(spec));
        assertEquals("a", failure.pluginId());
        assertThrows(IllegalArgumentException.class, () -> registry.extensions(Runnable.class));
    }

    @Test
    void unloadRemovesThePluginFromViewsAndRefusesHeldReferences() {
        registry.load(greeter("a", answering("a")));
        registry.load(greeter("b", answering("b")));
        Extensions<Greeter> greeters = registry.extensions(Greeter.class);
        Greeter heldA = greeters.byId("a").orElseThrow();
        Plugin rawA = registry.plugin("a").orElseThrow();

        assertTrue(registry.unload("a"));

        assertEquals(List.of("b"), greeters.pluginIds());
        assertTrue(registry.plugin("a").isEmpty());
        assertTrue(registry.descriptor("a").isEmpty());
        PluginUnavailableException refused = assertThrows(PluginUnavailableException.class, () -> heldA.greet("x"));
        assertTrue(refused.getMessage().contains("unloaded"), refused.getMessage());
        assertThrows(IllegalStateException.class, () -> rawA.call("greet", new byte[0]));
        assertFalse(registry.unload("a"));
        registry.load(greeter("a", answering("again")));
        assertEquals(List.of("again", "b"), greetings(greeters));
    }

    @Test
    void loadingAnIdThatIsAlreadyLoadedIsRefused() {
        registry.load(greeter("a", answering("a")));
        assertThrows(IllegalStateException.class, () -> registry.load(greeter("a", answering("a2"))));
        assertThrows(IllegalArgumentException.class, () -> registry.reload("a", greeter("b", answering("b"))));
        assertThrows(IllegalArgumentException.class, () -> registry.reload("zzz", greeter("zzz", answering("z"))));
    }

    @Test
    void proxiesAreBuiltOncePerVersion() {
        registry.load(greeter("a", answering("a")));
        registry.load(greeter("b", answering("b")));
        Extensions<Greeter> greeters = registry.extensions(Greeter.class);
        Greeter first = greeters.byId("a").orElseThrow();
        registry.disable("b");
        registry.enable("b");
        assertSame(first, greeters.list().get(0), "a state change elsewhere keeps a's proxy");
        assertSame(first, greeters.byId("a").orElseThrow());
    }

    @Test
    void noCallFailsWhileThePluginIsReloadedUnderLoad() throws Exception {
        registry.load(greeter("a", answering("v1")));
        byte[] v1 = answering("v1");
        byte[] v2 = answering("v2");
        Extensions<Greeter> greeters = registry.extensions(Greeter.class);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> workers = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                workers.add(threads.submit(() -> {
                    while (!stop.get()) {
                        for (Greeter g : greeters) {
                            seen.add(g.greet("x"));
                            calls.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 100; i++) {
                registry.reload("a", greeter("a", i % 2 == 0 ? v2 : v1));
            }
            stop.set(true);
            for (Future<?> worker : workers) {
                worker.get(10, TimeUnit.SECONDS);   // rethrows any call failure
            }
        } finally {
            stop.set(true);
            threads.shutdownNow();
        }
        assertTrue(calls.get() > 0);
        assertEquals(Set.of("v1", "v2"), seen.stream().collect(Collectors.toSet()));
    }
}
