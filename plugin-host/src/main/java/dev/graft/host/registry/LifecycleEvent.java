package dev.graft.host.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * One change in a plugin's life as a {@link PluginRegistry} saw it: a version loaded or refused, a plugin
 * enabled, disabled, reloaded, replaced by an upload, reverted, quarantined by its circuit breaker or
 * released. What an audit trail records; published to {@linkplain PluginRegistry#addLifecycleListener
 * lifecycle listeners} on the thread that made the change (so a listener can ask who made it).
 *
 * @param time when it happened (the registry's clock)
 * @param pluginId the plugin
 * @param action what happened
 * @param sha256 the digest of the module concerned (the new version, or the serving one), or {@code null}
 *     when none is known (for example a refusal before the bytes were read)
 * @param signedBy the name of the trusted key that signed the module concerned, or {@code null} when it
 *     was not signed or is not known
 * @param location where the module concerned came from, or {@code null}
 * @param detail why, in words (the refusal's message, the breaker's last failure), or {@code null}
 */
public record LifecycleEvent(Instant time, String pluginId, Action action, String sha256, String signedBy,
        String location, String detail) {

    public LifecycleEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(pluginId, "pluginId");
        Objects.requireNonNull(action, "action");
    }

    /** What happened to the plugin. */
    public enum Action {
        /** A version was loaded at registration. */
        LOADED,
        /** A version was refused (trust, pin, load limits, a module that does not compile); {@code detail} says why. */
        REFUSED,
        /** The configured location was read again and its version now serves. */
        RELOADED,
        /** A version that is not the configured one (an uploaded module) now serves. */
        UPLOADED,
        /** The configured version serves again in place of an uploaded one. */
        REVERTED,
        ENABLED,
        DISABLED,
        /** The circuit breaker opened: calls are refused (or answered by the default) for the cool-down. */
        QUARANTINED,
        /** The breaker closed again: after a successful trial call, or an operator's reset, enable or reload. */
        RELEASED,
        UNLOADED
    }
}
