package dev.graft.boot.actuate;

import dev.graft.api.PluginLoadException;
import dev.graft.boot.audit.PluginLifecycleEvent;
import dev.graft.boot.audit.PluginLifecycleEvents;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginStatistics;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The {@code graft} actuator endpoint: {@code GET /actuator/graft} lists every registered plugin (id,
 * state, sha256, location, extension points, effective policy, breaker, call statistics) and the recent
 * lifecycle events, {@code GET /actuator/graft/{id}} shows one plugin, and
 * {@code POST /actuator/graft/{id}/{action}} with action {@code enable}, {@code disable}, {@code reload}
 * (read its configured location again), {@code revert} (the configured version in place of an upload) or
 * {@code reset} (close its circuit breaker) changes one.
 *
 * <p>Its access is {@link Access#READ_ONLY} by default: the write operation is not even mapped unless
 * the application sets {@code management.endpoint.graft.access=unrestricted} (and, with Spring Security,
 * its security rules let the caller through).
 */
@Endpoint(id = "graft", defaultAccess = Access.READ_ONLY)
public class GraftEndpoint {

    /** The write operation's actions. */
    public static final List<String> ACTIONS = List.of("enable", "disable", "reload", "revert", "reset");

    private final PluginRegistry registry;
    private final PluginStatistics statistics;
    private final GraftProperties properties;
    private final PluginLifecycleEvents events;

    public GraftEndpoint(PluginRegistry registry, PluginStatistics statistics, GraftProperties properties) {
        this(registry, statistics, properties, null);
    }

    /** @param events the recent lifecycle events to show, or null */
    public GraftEndpoint(PluginRegistry registry, PluginStatistics statistics, GraftProperties properties,
            PluginLifecycleEvents events) {
        this.registry = registry;
        this.statistics = statistics;
        this.properties = properties;
        this.events = events;
    }

    /**
     * Every registered plugin, and what happened to the plugins lately.
     *
     * @param events the most recent lifecycle events, newest first (at most 100)
     */
    public record PluginsReport(List<PluginReport> plugins, List<EventReport> events) {
    }

    /** A {@link PluginLifecycleEvent} as the endpoint shows it (the time in ISO-8601). */
    public record EventReport(String time, String principal, String pluginId, String action, String sha256,
            String signedBy, String location, String detail) {

        static EventReport of(PluginLifecycleEvent e) {
            return new EventReport(PluginReport.text(e.time()), e.principal(), e.pluginId(), e.action(), e.sha256(),
                    e.signedBy(), e.location(), e.detail());
        }
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
        return new PluginsReport(registry.descriptors().stream().map(this::report).toList(),
                events == null ? List.of() : events.recent().stream().map(EventReport::of).toList());
    }

    /** One plugin, or 404 when no plugin has that id. */
    @ReadOperation
    public PluginReport plugin(@Selector String id) {
        return registry.descriptor(id).map(this::report).orElse(null);
    }

    /** Why a write operation found nothing to change: the unknown id, as the 404's body. */
    public record UnknownPlugin(String error, String plugin, List<String> known) {
    }

    /**
     * {@code POST /actuator/graft/{id}/{action}}: what {@link #change} did (200), or 404 naming the id when
     * no plugin has it (a write operation answering null would be a 204, as if it had done something).
     */
    @WriteOperation
    public WebEndpointResponse<Object> write(@Selector String id, @Selector String action) {
        ActionReport report = change(id, action);
        if (report == null) {
            return new WebEndpointResponse<>(new UnknownPlugin("no plugin with id '" + id + "'", id,
                    registry.descriptors().stream().map(d -> d.id()).sorted().toList()), WebEndpointResponse.STATUS_NOT_FOUND);
        }
        return new WebEndpointResponse<>(report, WebEndpointResponse.STATUS_OK);
    }

    /**
     * Enables, disables, reloads, reverts or resets one plugin.
     *
     * @return what was done, or null when no plugin has that id
     */
    public ActionReport change(String id, String action) {
        if (registry.descriptor(id).isEmpty()) {
            return null;
        }
        String error = null;
        switch (action.toLowerCase(Locale.ROOT)) {
            case "enable" -> registry.enable(id);
            case "disable" -> registry.disable(id);
            case "reset" -> registry.resetBreaker(id);
            case "reload", "revert" -> {
                try {
                    if (action.equalsIgnoreCase("reload")) {
                        registry.reload(id);
                    } else {
                        registry.revert(id);
                    }
                } catch (PluginLoadException e) {
                    error = e.getMessage();
                }
            }
            default -> throw new InvalidEndpointRequestException("Unknown action '" + action
                    + "'; allowed: " + String.join(", ", ACTIONS), "unknown action");
        }
        return new ActionReport(action, error == null, error, plugin(id));
    }

    private PluginReport report(dev.graft.host.registry.PluginDescriptor descriptor) {
        GraftProperties.Plugin configured = properties.getPlugins().get(descriptor.id());
        return PluginReport.of(descriptor, configured != null && configured.isRequired(),
                registry.servesUpload(descriptor.id()), statistics);
    }
}
