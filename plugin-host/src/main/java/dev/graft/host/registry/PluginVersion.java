package dev.graft.host.registry;

import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One loaded version of a registered plugin, with the typed proxies built for it and a count of the
 * calls running on it. When a reload or unload retires the version, it is closed as soon as the last of
 * those calls has finished, never under a running call.
 */
final class PluginVersion {

    private final PluginSpec spec;
    private final Plugin plugin;
    private final Instant loadedAt;
    private final Map<Class<?>, Object> proxies = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean retired;

    PluginVersion(PluginSpec spec, Plugin plugin, Instant loadedAt) {
        this.spec = spec;
        this.plugin = plugin;
        this.loadedAt = loadedAt;
    }

    PluginSpec spec() {
        return spec;
    }

    Plugin plugin() {
        return plugin;
    }

    Instant loadedAt() {
        return loadedAt;
    }

    boolean claims(Class<?> extensionPoint) {
        return spec.extensionPoints().contains(extensionPoint);
    }

    /** The proxy of this version for the type, built once. */
    <T> T proxy(Class<T> type, Function<Class<T>, T> factory) {
        return type.cast(proxies.computeIfAbsent(type, t -> factory.apply(type)));
    }

    /**
     * Registers a call about to run on this version.
     *
     * @return false when the version was retired; the caller must then look up the current one
     */
    boolean enter() {
        inFlight.incrementAndGet();
        if (retired) {
            exit();
            return false;
        }
        return true;
    }

    /** A call registered with {@link #enter()} has finished. */
    void exit() {
        if (inFlight.decrementAndGet() == 0 && retired) {
            closeOnce();
        }
    }

    /**
     * No new call may start on this version; it is closed once the running ones finish. Called after the
     * registry published the state that no longer refers to it, so a caller refused by {@link #enter()}
     * finds the successor when it looks again.
     */
    void retire() {
        retired = true;
        if (inFlight.get() == 0) {
            closeOnce();
        }
    }

    private void closeOnce() {
        if (closed.compareAndSet(false, true)) {
            plugin.close();
        }
    }
}
