package dev.graft.boot.web;

import dev.graft.boot.autoconfigure.GraftProperties;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * The routes of {@code graft.routes}, checked and ready to match request paths. A path is exact
 * ({@code /hello}) or a wildcard {@code /prefix/...}, which matches {@code /prefix} itself and every
 * path below {@code /prefix/} ({@code /...} matches every path). An exact route wins over a wildcard;
 * among wildcards the longest prefix wins. Paths are compared as sent (percent-encoded), case-sensitive.
 */
public final class RouteTable {

    /** The wildcard suffix of a route path. */
    public static final String WILDCARD = "/...";

    /** How a route's plugin is called. */
    public enum Kind {
        /** A WASI command speaking CGI (WAGI). */
        WAGI,
        /** An Extism export taking a JSON request and returning a JSON response. */
        EXTISM
    }

    /**
     * One configured route.
     *
     * @param property its property prefix, e.g. {@code graft.routes[0]}
     * @param path the path as configured ({@code /hello} or {@code /static/...})
     * @param base the path without the wildcard suffix ({@code /static}; empty for {@code /...})
     * @param wildcard whether the path ends with {@code /...}
     * @param plugin the plugin id
     * @param kind the contract
     * @param export the Extism export of an {@code extism} route
     */
    public record Route(String property, String path, String base, boolean wildcard, String plugin, Kind kind,
            String export) {
    }

    /**
     * A route matched to a request.
     *
     * @param route the route
     * @param pathInfo the part of the (raw) path below the route's base: empty for an exact route or
     *     the base itself, else starting with {@code /}
     */
    public record Match(Route route, String pathInfo) {
    }

    private final Map<String, Route> exact;
    private final List<Route> wildcards;
    private final List<Route> all;

    private RouteTable(List<Route> routes) {
        this.all = Collections.unmodifiableList(routes);
        Map<String, Route> exactRoutes = new HashMap<>();
        List<Route> wild = new ArrayList<>();
        for (Route r : routes) {
            if (r.wildcard()) {
                wild.add(r);
            } else {
                exactRoutes.put(r.path(), r);
            }
        }
        wild.sort(Comparator.comparingInt((Route r) -> r.base().length()).reversed());
        this.exact = exactRoutes;
        this.wildcards = wild;
    }

    /**
     * Checks and indexes the configured routes.
     *
     * @param routes {@code graft.routes}
     * @param knownPlugins ids under {@code graft.plugins}
     * @param pluginDir whether {@code graft.plugin-dir} is set (its plugins are known only at run time)
     * @throws InvalidConfigurationPropertyValueException naming the property of the first bad setting
     */
    public static RouteTable of(List<GraftProperties.Route> routes, Set<String> knownPlugins, boolean pluginDir) {
        List<Route> checked = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            GraftProperties.Route r = routes.get(i);
            String property = "graft.routes[" + i + "]";
            String path = r.getPath() == null ? null : r.getPath().trim();
            if (path == null || !path.startsWith("/")) {
                throw invalid(property + ".path", r.getPath(), "a route path starts with '/': an exact path like "
                        + "/hello or a wildcard like /static/...");
            }
            boolean wildcard = path.endsWith(WILDCARD);
            String base = wildcard ? path.substring(0, path.length() - WILDCARD.length()) : path;
            if (base.contains("...") || base.contains("*") || base.contains("?") || base.contains("#")) {
                throw invalid(property + ".path", path, "only a trailing /... is a wildcard; '*', '?', '#' and "
                        + "'...' elsewhere are not allowed");
            }
            String previous = seen.putIfAbsent(path, property);
            if (previous != null) {
                throw invalid(property + ".path", path, "the same path is already routed by " + previous);
            }
            String plugin = r.getPlugin() == null ? null : r.getPlugin().trim();
            if (plugin == null || plugin.isEmpty()) {
                throw invalid(property + ".plugin", r.getPlugin(), "a route names the id of the plugin that answers it");
            }
            if (!knownPlugins.contains(plugin) && !pluginDir) {
                throw invalid(property + ".plugin", plugin, "no plugin '" + plugin + "' is configured under "
                        + "graft.plugins (and graft.plugin-dir is not set); configured: " + knownPlugins);
            }
            Kind kind = kind(property + ".kind", r.getKind());
            String export = r.getExport() == null ? "" : r.getExport().trim();
            if (kind == Kind.EXTISM && export.isEmpty()) {
                throw invalid(property + ".export", r.getExport(), "an extism route names the export to call");
            }
            checked.add(new Route(property, path, base, wildcard, plugin, kind, export));
        }
        return new RouteTable(checked);
    }

    private static Kind kind(String property, String value) {
        String wanted = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        for (Kind k : Kind.values()) {
            if (k.name().equals(wanted)) {
                return k;
            }
        }
        throw invalid(property, value, "allowed values are wagi, extism");
    }

    /** The route answering a raw path within the application, or {@code null}. */
    public Match match(String path) {
        Route route = exact.get(path);
        if (route != null) {
            return new Match(route, "");
        }
        for (Route r : wildcards) {
            String base = r.base();
            if (path.equals(base)) {
                return new Match(r, "");
            }
            if (path.startsWith(base + "/")) {
                return new Match(r, path.substring(base.length()));
            }
        }
        return null;
    }

    /** Every route, in configuration order. */
    public List<Route> routes() {
        return all;
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }

    static InvalidConfigurationPropertyValueException invalid(String property, Object value, String reason) {
        return new InvalidConfigurationPropertyValueException(property, value, reason);
    }
}
