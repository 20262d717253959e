package dev.graft.boot.actuate;

import dev.graft.api.PluginLoadException;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginStatistics;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code graft} actuator endpoint: {@code GET /actuator/graft} lists every registered plugin (id,
 * state, sha256, location, extension points, effective policy, breaker, call statistics),
 * {@code GET /actuator/graft/{id}} shows one, and {@code POST /actuator/graft/{id}/{action}} with action
 * {@code enable}, {@code disable}, {@code reload} (read its location again) or {@code reset} (close its
 * circuit breaker) changes one.
 */
@Endpoint(id = "graft")
public class GraftEndpoint {

    private final PluginRegistry registry;
    private final PluginStatistics statistics;
    private final GraftProperties properties;

    public GraftEndpoint(PluginRegistry registry, PluginStatistics statistics, GraftProperties properties) {
        this.registry = registry;
        this.statistics = statistics;
        this.properties = properties;
    }

    /** Every registered plugin. */
    public record PluginsReport(List<PluginReport> plugins) {
    }

    /**
     * What a write operation did.
     *
     * @param action the action asked for
     * @param done whether it took effect (a reload that was refused did not; {@code error} says why)
     * @param error why not, or null
     * @param plugin the plugin afterwards
     */
    public record ActionReport(String action, boolean done, String error, PluginReport plugin) {
    }

    @ReadOperation
    public PluginsReport plugins() {
        return new PluginsReport(registry.descriptors().stream().map(this::report).toList());
    }

    /** One plugin, or 404 when no plugin has that id. */
    @ReadOperation
    public PluginReport plugin(@Selector String id) {
        return registry.descriptor(id).map(this::report).orElse(null);
    }

    /** Enables, disables, reloads or resets one plugin; 404 when no plugin has that id. */
    @WriteOperation
    public ActionReport change(@Selector String id, @Selector String action) {
        if (registry.descriptor(id).isEmpty()) {
            return null;
        }
        String error = null;
        switch (action.toLowerCase(Locale.ROOT)) {
            case "enable" -> registry.enable(id);
            case "disable" -> registry.disable(id);
            case "reset" -> registry.resetBreaker(id);
            case "reload" -> {
                try {
                    registry.reload(id);
                } catch (PluginLoadException e) {
                    error = e.getMessage();
                }
            }
            default -> throw new InvalidEndpointRequestException("Unknown action '" + action
                    + "'; allowed: enable, disable, reload, reset", "unknown action");
        }
        return new ActionReport(action, error == null, error, plugin(id));
    }

    private PluginReport report(dev.graft.host.registry.PluginDescriptor descriptor) {
        GraftProperties.Plugin configured = properties.getPlugins().get(descriptor.id());
        return PluginReport.of(descriptor, configured != null && configured.isRequired(), statistics);
    }
}
