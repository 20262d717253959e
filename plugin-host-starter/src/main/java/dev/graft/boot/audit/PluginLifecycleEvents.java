package dev.graft.boot.audit;

import dev.graft.host.registry.PluginRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * Bridges the {@link PluginRegistry}'s lifecycle listener to Spring: each change is published as a
 * {@link PluginLifecycleEvent} with the principal who made it, and the most recent ones are kept in a
 * bounded ring for the actuator {@code graft} endpoint.
 *
 * <p>Changes made while the context starts (the configured plugins' loads) are held back until it has
 * refreshed, because {@code @EventListener} methods are registered only once every singleton exists;
 * then they are published in order, so an audit trail sees them too.
 */
public class PluginLifecycleEvents implements InitializingBean, DisposableBean,
        ApplicationListener<ContextRefreshedEvent> {

    /** How many events {@link #recent()} keeps by default. */
    public static final int DEFAULT_CAPACITY = 100;

    private final PluginRegistry registry;
    private final ApplicationEventPublisher publisher;
    private final Supplier<String> principal;
    private final int capacity;
    private final Deque<PluginLifecycleEvent> recent = new ArrayDeque<>();
    /** Events waiting for the context to refresh; null once it has. */
    private List<PluginLifecycleEvent> heldBack = new ArrayList<>();
    private final dev.graft.host.registry.LifecycleListener listener = this::bridge;

    /**
     * @param principal who is making a change now (see {@link Principals})
     * @param capacity how many recent events to keep
     */
    public PluginLifecycleEvents(PluginRegistry registry, ApplicationEventPublisher publisher, Supplier<String> principal,
            int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative, was " + capacity);
        }
        this.registry = registry;
        this.publisher = publisher;
        this.principal = principal;
        this.capacity = capacity;
    }

    @Override
    public void afterPropertiesSet() {
        registry.addLifecycleListener(listener);
    }

    @Override
    public void destroy() {
        registry.removeLifecycleListener(listener);
    }

    /**
     * Publishes a change the registry did not see, as if it had: for example an upload the application
     * refused before handing it to the registry (a missing or untrusted signature), so the audit trail
     * has every refusal.
     */
    public void publish(dev.graft.host.registry.LifecycleEvent change) {
        bridge(change);
    }

    private void bridge(dev.graft.host.registry.LifecycleEvent change) {
        PluginLifecycleEvent event = PluginLifecycleEvent.of(change, principal.get());
        synchronized (recent) {
            if (capacity > 0) {
                if (recent.size() == capacity) {
                    recent.removeFirst();
                }
                recent.addLast(event);
            }
            if (heldBack != null) {
                heldBack.add(event);
                return;
            }
        }
        publisher.publishEvent(event);
    }

    @Override
    public void onApplicationEvent(ContextRefreshedEvent refreshed) {
        List<PluginLifecycleEvent> pending;
        synchronized (recent) {
            pending = heldBack;
            heldBack = null;
        }
        if (pending != null) {
            pending.forEach(publisher::publishEvent);
        }
    }

    /** The most recent events, newest first. */
    public List<PluginLifecycleEvent> recent() {
        synchronized (recent) {
            List<PluginLifecycleEvent> newestFirst = new ArrayList<>(recent);
            java.util.Collections.reverse(newestFirst);
            return newestFirst;
        }
    }
}
