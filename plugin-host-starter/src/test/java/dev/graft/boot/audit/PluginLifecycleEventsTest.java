package dev.graft.boot.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.host.engine.GraftEngine;
import dev.graft.host.registry.LifecycleEvent;
import dev.graft.host.registry.PluginRegistry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.support.StaticApplicationContext;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;

/** The bridge from the registry's lifecycle listener to Spring events: principal, hold-back, ring. */
class PluginLifecycleEventsTest {

    final PluginRegistry registry = new PluginRegistry(GraftEngine.create());
    final List<Object> published = new CopyOnWriteArrayList<>();

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
        registry.close();
    }

    PluginLifecycleEvents bridge(int capacity) {
        PluginLifecycleEvents events = new PluginLifecycleEvents(registry, published::add,
                Principals.current(getClass().getClassLoader()), capacity);
        events.afterPropertiesSet();
        return events;
    }

    static LifecycleEvent change(String plugin, LifecycleEvent.Action action) {
        return new LifecycleEvent(Instant.parse("2026-01-01T00:00:00Z"), plugin, action, "ab".repeat(32), "release",
                "file:/x.wasm", null);
    }

    @Test
    void theAuthenticatedUserIsThePrincipalElseSystem() {
        PluginLifecycleEvents events = bridge(10);
        events.onApplicationEvent(new ContextRefreshedEvent(new StaticApplicationContext()));
        events.publish(change("a", LifecycleEvent.Action.DISABLED));
        SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated("alice",
                "n/a", AuthorityUtils.createAuthorityList("ROLE_ADMIN")));
        events.publish(change("a", LifecycleEvent.Action.ENABLED));
        SecurityContextHolder.getContext().setAuthentication(new AnonymousAuthenticationToken("key", "anonymousUser",
                AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS")));
        events.publish(change("a", LifecycleEvent.Action.RELOADED));

        assertThat(published).extracting(e -> ((PluginLifecycleEvent) e).principal())
                .containsExactly("system", "alice", "anonymous");
        PluginLifecycleEvent enabled = (PluginLifecycleEvent) published.get(1);
        assertThat(enabled.action()).isEqualTo("ENABLED");
        assertThat(enabled.signedBy()).isEqualTo("release");
        assertThat(enabled.sha256()).isEqualTo("ab".repeat(32));
    }

    @Test
    void eventsBeforeTheContextRefreshedAreHeldBackThenPublishedInOrder() {
        PluginLifecycleEvents events = bridge(10);
        events.publish(change("a", LifecycleEvent.Action.LOADED));
        events.publish(change("b", LifecycleEvent.Action.LOADED));
        assertThat(published).isEmpty();
        assertThat(events.recent()).hasSize(2);   // the endpoint shows them at once

        events.onApplicationEvent(new ContextRefreshedEvent(new StaticApplicationContext()));
        assertThat(published).extracting(e -> ((PluginLifecycleEvent) e).pluginId()).containsExactly("a", "b");
        events.publish(change("c", LifecycleEvent.Action.DISABLED));
        assertThat(published).hasSize(3);
    }

    @Test
    void theRingKeepsTheNewestNewestFirst() {
        PluginLifecycleEvents events = bridge(3);
        for (String id : List.of("a", "b", "c", "d", "e")) {
            events.publish(change(id, LifecycleEvent.Action.ENABLED));
        }
        assertThat(events.recent()).extracting(PluginLifecycleEvent::pluginId).containsExactly("e", "d", "c");
    }

    @Test
    void theRegistrysChangesReachTheBridge() {
        bridge(10).onApplicationEvent(new ContextRefreshedEvent(new StaticApplicationContext()));
        byte[] module = com.dylibso.chicory.wabt.Wat2Wasm.parse(
                "(module (memory 1) (func (export \"x\") (result i32) (i32.const 0)))");
        registry.load(dev.graft.host.engine.PluginSpec.of(dev.graft.host.source.PluginSource.ofBytes("m", module)));
        registry.disable("m");
        assertThat(registry.unload("nobody")).isFalse();   // not a change: nothing published
        assertThat(published).extracting(e -> ((PluginLifecycleEvent) e).action()).containsExactly("LOADED", "DISABLED");
        assertThat(((PluginLifecycleEvent) published.get(0)).sha256()).hasSize(64);
        assertThat(((PluginLifecycleEvent) published.get(0)).principal()).isEqualTo("system");
    }
}
