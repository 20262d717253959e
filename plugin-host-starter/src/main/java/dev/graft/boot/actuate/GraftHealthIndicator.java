package dev.graft.boot.actuate;

import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.registry.PluginDescriptor;
import dev.graft.host.registry.PluginRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code DOWN} when a plugin marked {@code graft.plugins.<id>.required} is not serving: failed to load,
 * disabled, quarantined by its circuit breaker, or unloaded. Details give every plugin's state, and for
 * each required plugin not serving, why.
 */
public class GraftHealthIndicator implements HealthIndicator {

    private final PluginRegistry registry;
    private final GraftProperties properties;

    public GraftHealthIndicator(PluginRegistry registry, GraftProperties properties) {
        this.registry = registry;
        this.properties = properties;
    }

    @Override
    public Health health() {
        Map<String, String> states = new LinkedHashMap<>();
        for (PluginDescriptor descriptor : registry.descriptors()) {
            states.put(descriptor.id(), PluginReport.lower(descriptor.state()));
        }
        Map<String, String> notServing = new LinkedHashMap<>();
        properties.getPlugins().forEach((id, plugin) -> {
            if (plugin.isRequired()) {
                Optional<PluginDescriptor> descriptor = registry.descriptor(id);
                if (descriptor.isEmpty()) {
                    notServing.put(id, "not registered (unloaded)");
                } else if (!descriptor.get().serving()) {
                    notServing.put(id, reason(descriptor.get()));
                }
            }
        });
        Health.Builder health = notServing.isEmpty() ? Health.up() : Health.down();
        health.withDetail("plugins", states);
        if (!notServing.isEmpty()) {
            health.withDetail("requiredNotServing", notServing);
        }
        return health.build();
    }

    private static String reason(PluginDescriptor d) {
        return switch (d.state()) {
            case FAILED -> "failed: " + d.lastError();
            case DISABLED -> "disabled";
            case QUARANTINED -> "quarantined after " + d.breaker().consecutiveFailures() + " consecutive failures "
                    + "(threshold " + d.breaker().failureThreshold() + ", cool-down " + d.breaker().coolDown() + ")";
            case ENABLED -> "enabled";
        };
    }
}
