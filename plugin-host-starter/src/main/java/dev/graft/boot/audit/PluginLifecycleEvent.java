package dev.graft.boot.audit;

import dev.graft.host.registry.LifecycleEvent;
import java.time.Instant;

/**
 * An application event for every change in a plugin's life: loaded, refused (trust, pin, load limits),
 * uploaded, enabled, disabled, reloaded, reverted, quarantined, released, unloaded. Published through
 * Spring's {@code ApplicationEventPublisher} on the thread that made the change; listen with
 * {@code @EventListener} to keep an audit trail.
 *
 * @param time when it happened
 * @param principal who made the change: the name of the authenticated user in Spring Security's context
 *     when Spring Security is present and someone is authenticated, else {@code "system"} (startup, the
 *     plugin folder's watcher, a circuit breaker)
 * @param pluginId the plugin
 * @param action what happened, one of {@link LifecycleEvent.Action}'s names
 * @param sha256 digest of the module concerned, or {@code null}
 * @param signedBy name of the trusted key that signed the module, or {@code null}
 * @param location where the module came from, or {@code null}
 * @param detail why (a refusal's reason, the failure that opened a breaker), or {@code null}
 */
public record PluginLifecycleEvent(Instant time, String principal, String pluginId, String action, String sha256,
        String signedBy, String location, String detail) {

    /** The principal of changes no user made. */
    public static final String SYSTEM = "system";

    static PluginLifecycleEvent of(LifecycleEvent event, String principal) {
        return new PluginLifecycleEvent(event.time(), principal, event.pluginId(), event.action().name(), event.sha256(),
                event.signedBy(), event.location(), event.detail());
    }
}
