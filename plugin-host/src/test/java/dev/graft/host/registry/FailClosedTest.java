package dev.graft.host.registry;

import static dev.graft.host.registry.RegistryFixtures.answering;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.PluginQuarantinedException;
import dev.graft.api.PluginTrapException;
import dev.graft.api.PluginUnavailableException;
import dev.graft.host.binding.JacksonPayloadCodec;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.registry.LifecycleEvent.Action;
import dev.graft.host.registry.RegistryFixtures.Greeter;
import dev.graft.host.source.PluginSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Required plugins fail closed; a plugin's own error is not a fault; reload and revert return to the
 * configured bytes after an upload; every change is published to lifecycle listeners.
 */
class FailClosedTest {

    final MutableClock clock = new MutableClock();
    final PluginRegistry registry = new PluginRegistry(GraftEngine.create(), new JacksonPayloadCodec(), clock);
    final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void listen() {
        registry.addLifecycleListener(events::add);
    }

    @AfterEach
    void close() {
        registry.close();
    }

    /** Greets by returning a non-zero code: an error the plugin reports itself. */
    static byte[] reportingAnError() {
        return Wat2Wasm.parse("(module (memory 1) (func (export \"greet\") (result i32) (i32.const 1)))");
    }

    static byte[] trapping() {
        return Wat2Wasm.parse("(module (memory 1) (func (export \"greet\") (result i32) (unreachable)))");
    }

    static PluginSpec spec(String id, byte[] module) {
        return PluginSpec.builder(PluginSource.ofBytes(id, module)).extensionPoint(Greeter.class).build();
    }

    List<Action> actions() {
        return events.stream().map(LifecycleEvent::action).toList();
    }

    @Test
    void aDisabledRequiredPluginIsRefusedInsteadOfSkippedOrAnsweredByTheFallback() {
        registry.setFallback(Greeter.class, name -> "default");
        registry.load(spec("tax", answering("taxed")));
        registry.load(spec("optional", answering("optional")));
        registry.setRequired("tax", Set.of(Greeter.class));
        registry.disable("tax");
        registry.disable("optional");

        var view = registry.extensions(Greeter.class);
        assertEquals(List.of("tax"), view.pluginIds(), "the optional plugin is skipped, the required one stays listed");
        PluginUnavailableException refused = assertThrows(PluginUnavailableException.class,
                () -> view.byId("tax").orElseThrow().greet("x"));
        assertEquals("tax", refused.pluginId());
        assertTrue(refused.getMessage().contains("disabled") && refused.getMessage().contains("required"),
                refused.getMessage());

        registry.enable("tax");
        assertEquals("taxed", view.byId("tax").orElseThrow().greet("x"));
        registry.setRequired("tax", Set.of());
        registry.disable("tax");
        assertTrue(view.isEmpty(), "no longer required: skipped again");
    }

    @Test
    void aRequiredPluginThatIsMissingOrFailedIsRefused() {
        registry.setRequired("tax", Set.of(Greeter.class));
        var view = registry.extensions(Greeter.class);
        assertEquals(List.of("tax"), view.pluginIds(), "required before it is registered");
        assertThrows(PluginUnavailableException.class, () -> view.list().get(0).greet("x"));

        assertThrows(PluginLoadException.class, () -> registry.load(spec("tax", RegistryFixtures.refusedAtLoad())));
        assertThrows(PluginUnavailableException.class, () -> view.list().get(0).greet("x"), "failed at load");
        registry.unload("tax");
        assertThrows(PluginUnavailableException.class, () -> view.list().get(0).greet("x"), "unloaded");
    }

    @Test
    void aQuarantinedRequiredPluginIsNotAnsweredByTheFallback() {
        registry.configureBreaker(2, Duration.ofSeconds(30));
        registry.setFallback(Greeter.class, name -> "default");
        registry.load(spec("tax", trapping()));
        registry.setRequired("tax", Set.of(Greeter.class));
        Greeter tax = registry.extensions(Greeter.class).list().get(0);
        assertThrows(PluginTrapException.class, () -> tax.greet("x"));
        assertThrows(PluginTrapException.class, () -> tax.greet("x"));
        assertThrows(PluginQuarantinedException.class, () -> tax.greet("x"));
        assertEquals(PluginState.QUARANTINED, registry.descriptor("tax").orElseThrow().state());
        assertTrue(actions().contains(Action.QUARANTINED), actions().toString());
    }

    @Test
    void aPluginsOwnErrorIsItsAnswerAndDoesNotQuarantine() {
        registry.configureBreaker(2, Duration.ofSeconds(30));
        registry.load(spec("tax", reportingAnError()));
        Greeter tax = registry.extensions(Greeter.class).list().get(0);
        for (int i = 0; i < 5; i++) {
            assertThrows(PluginCallException.class, () -> tax.greet("x"));
        }
        assertEquals(PluginState.ENABLED, registry.descriptor("tax").orElseThrow().state());
        assertEquals(0, registry.breaker("tax").orElseThrow().consecutiveFailures());
        assertFalse(actions().contains(Action.QUARANTINED));
    }

    @Test
    void reloadAndRevertReturnToTheConfiguredBytesAfterAnUpload(@TempDir Path dir) throws Exception {
        Path configured = dir.resolve("greeter.wasm");
        Files.write(configured, answering("configured"));
        registry.load(PluginSpec.builder(PluginSource.ofFile("greeter", configured)).extensionPoint(Greeter.class).build());
        String configuredDigest = registry.descriptor("greeter").orElseThrow().sha256();
        var view = registry.extensions(Greeter.class);

        registry.upload("greeter", spec("greeter", answering("uploaded")));
        assertEquals("uploaded", view.list().get(0).greet("x"));
        assertTrue(registry.servesUpload("greeter"));
        assertNotEquals(configuredDigest, registry.descriptor("greeter").orElseThrow().sha256());

        registry.reload("greeter");
        assertEquals("configured", view.list().get(0).greet("x"), "reload reads the configured location");
        assertFalse(registry.servesUpload("greeter"));
        assertEquals(configuredDigest, registry.descriptor("greeter").orElseThrow().sha256());

        registry.upload("greeter", spec("greeter", answering("uploaded again")));
        registry.revert("greeter");
        assertEquals("configured", view.list().get(0).greet("x"));

        assertEquals(List.of(Action.LOADED, Action.UPLOADED, Action.RELOADED, Action.UPLOADED, Action.REVERTED), actions());
        LifecycleEvent uploaded = events.get(1);
        assertEquals("greeter", uploaded.pluginId());
        assertNotEquals(configuredDigest, uploaded.sha256());
        assertEquals(clock.instant(), uploaded.time());
        assertEquals(configuredDigest, events.get(2).sha256());
    }

    @Test
    void everyChangeAndRefusalIsPublished() {
        registry.configureBreaker(1, Duration.ofSeconds(30));
        registry.load(spec("g", trapping()));
        registry.disable("g");
        registry.enable("g");
        assertThrows(PluginTrapException.class, () -> registry.extensions(Greeter.class).list().get(0).greet("x"));
        registry.resetBreaker("g");
        PluginLoadException refused = assertThrows(PluginLoadException.class,
                () -> registry.reload("g", spec("g", RegistryFixtures.refusedAtLoad())));
        registry.unload("g");
        registry.addLifecycleListener(event -> {
            throw new IllegalStateException("a broken listener does not stop the registry");
        });
        registry.load(spec("h", answering("h")));

        assertEquals(List.of(Action.LOADED, Action.DISABLED, Action.ENABLED, Action.QUARANTINED, Action.RELEASED,
                Action.REFUSED, Action.UNLOADED, Action.LOADED), actions());
        LifecycleEvent refusal = events.get(5);
        assertEquals(refused.getMessage(), refusal.detail());
        assertNull(refusal.sha256());
        assertEquals(64, events.get(0).sha256().length());
    }
}
