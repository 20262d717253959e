package dev.graft.host.registry;

import dev.graft.api.policy.PluginPolicy;
import java.time.Instant;
import java.util.List;

/**
 * What a {@link PluginRegistry} knows about one plugin at one moment, for operators (logs, an actuator
 * endpoint, health). Immutable.
 *
 * @param id the plugin id
 * @param location where the serving version (or, when none loaded, the last attempt) came from
 * @param sha256 lower-case hex digest of the serving module, or {@code null} when none is loaded
 * @param state serving, switched off, or failed
 * @param order position in extension views
 * @param policy the policy of the serving version (or of the last attempt)
 * @param extensionPoints ids of the {@code @ExtensionPoint}s the plugin claims
 * @param lastError why the last load or reload failed, or {@code null} when it did not; a failed
 *     reload leaves the previous version serving and sets this
 * @param loadedAt when the serving version was loaded, or {@code null} when none is loaded
 * @param breaker the plugin's circuit breaker
 */
public record PluginDescriptor(String id, String location, String sha256, PluginState state, int order,
        PluginPolicy policy, List<String> extensionPoints, String lastError, Instant loadedAt,
        CircuitBreaker.Status breaker) {

    public PluginDescriptor {
        extensionPoints = List.copyOf(extensionPoints);
    }

    /** Whether the plugin serves calls now (enabled, loaded and not quarantined). */
    public boolean serving() {
        return state == PluginState.ENABLED;
    }
}
