package dev.graft.boot.actuate;

import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.boot.autoconfigure.GraftRegistryAutoConfiguration;
import dev.graft.host.registry.PluginRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code graft} health indicator ({@code management.health.graft.enabled}), when Spring Boot's health
 * support is on the classpath.
 */
@AutoConfiguration(after = GraftRegistryAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class, PluginRegistry.class})
@ConditionalOnEnabledHealthIndicator("graft")
public class GraftHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "graftHealthIndicator")
    @ConditionalOnBean(PluginRegistry.class)
    public GraftHealthIndicator graftHealthIndicator(PluginRegistry registry, GraftProperties properties) {
        return new GraftHealthIndicator(registry, properties);
    }
}
