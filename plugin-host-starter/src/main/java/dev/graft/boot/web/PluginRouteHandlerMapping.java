package dev.graft.boot.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;
import org.springframework.web.util.UrlPathHelper;

/**
 * Spring MVC's entry to the plugin routes of {@code graft.routes}: a handler mapping consulted after
 * the application's annotated controllers (order 1, so a {@code @RequestMapping} of the same path wins)
 * and before static resources. A matched request is handled by {@link PluginRouteHandler}.
 */
public class PluginRouteHandlerMapping extends AbstractHandlerMapping {

    /** Request attribute holding the {@link RouteTable.Match} of the request. */
    public static final String MATCH_ATTRIBUTE = PluginRouteHandlerMapping.class.getName() + ".match";

    private static final UrlPathHelper RAW_PATHS = new UrlPathHelper();

    static {
        RAW_PATHS.setUrlDecode(false);
        RAW_PATHS.setRemoveSemicolonContent(true);
    }

    private final RouteTable routes;
    private final PluginRouteHandler handler;

    public PluginRouteHandlerMapping(RouteTable routes, PluginRouteHandler handler) {
        this.routes = routes;
        this.handler = handler;
        setOrder(1);
    }

    public RouteTable routes() {
        return routes;
    }

    @Override
    protected Object getHandlerInternal(HttpServletRequest request) {
        if (routes.isEmpty() || request.getDispatcherType() == DispatcherType.ERROR) {
            return null;
        }
        RouteTable.Match match = routes.match(rawPath(request));
        if (match == null) {
            return null;
        }
        request.setAttribute(MATCH_ATTRIBUTE, match);
        return handler;
    }

    /** The path within the application, still percent-encoded, without {@code ;} parameters. */
    static String rawPath(HttpServletRequest request) {
        String path = RAW_PATHS.getPathWithinApplication(request);
        return path.isEmpty() ? "/" : path;
    }
}
