package dev.graft.boot.web;

import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.boot.autoconfigure.GraftRegistryAutoConfiguration;
import dev.graft.boot.plugins.ConfiguredPlugins;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.registry.PluginRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Plugin routes ({@code graft.routes}): HTTP paths answered by plugins through the application's Spring
 * MVC, in a servlet web application. Routes are checked at startup (paths, kinds, plugin ids; once the
 * configured plugins are loaded, that each route's plugin fits its contract), so a mistake fails startup
 * naming the property.
 */
@AutoConfiguration(after = GraftRegistryAutoConfiguration.class)
@ConditionalOnClass({GraftEngine.class, DispatcherServlet.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(PluginRegistry.class)
public class GraftRoutesAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public PluginRouteHandler graftPluginRouteHandler(PluginRegistry registry) {
        return new PluginRouteHandler(registry);
    }

    @Bean
    @ConditionalOnMissingBean
    public PluginRouteHandlerMapping graftPluginRouteHandlerMapping(GraftProperties properties, PluginRegistry registry,
            PluginRouteHandler handler, ObjectProvider<ConfiguredPlugins> configuredPlugins) {
        RouteTable routes = RouteTable.of(properties.getRoutes(), properties.getPlugins().keySet(),
                properties.getPluginDir() != null);
        configuredPlugins.ifAvailable(loaded -> { });   // plugins loaded first, so their fit can be checked
        for (RouteTable.Route route : routes.routes()) {
            registry.descriptor(route.plugin()).ifPresent(descriptor -> {
                String unfit = PluginRouteHandler.unfit(route, descriptor, registry.plugin(route.plugin()).orElse(null));
                if (unfit != null) {
                    throw RouteTable.invalid(route.property() + ".plugin", route.plugin(), unfit);
                }
            });
        }
        return new PluginRouteHandlerMapping(routes, handler);
    }
}
