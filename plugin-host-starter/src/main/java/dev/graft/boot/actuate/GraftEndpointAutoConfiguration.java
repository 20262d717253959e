package dev.graft.boot.actuate;

import dev.graft.boot.audit.PluginLifecycleEvents;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.boot.autoconfigure.GraftRegistryAutoConfiguration;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginStatistics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code graft} actuator endpoint, when Spring Boot Actuator is on the classpath and the endpoint is exposed. */
@AutoConfiguration(after = GraftRegistryAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class, PluginRegistry.class})
public class GraftEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(PluginRegistry.class)
    @ConditionalOnAvailableEndpoint
    public GraftEndpoint graftEndpoint(PluginRegistry registry, PluginStatistics statistics, GraftProperties properties,
            ObjectProvider<PluginLifecycleEvents> events) {
        return new GraftEndpoint(registry, statistics, properties, events.getIfAvailable());
    }
}
