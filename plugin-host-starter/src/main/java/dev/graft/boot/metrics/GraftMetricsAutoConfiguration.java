package dev.graft.boot.metrics;

import dev.graft.boot.autoconfigure.GraftRegistryAutoConfiguration;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.registry.PluginRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer support, when Micrometer is on the classpath: {@link GraftMetrics} when the application has
 * a {@link MeterRegistry} bean, and an {@link ObservingCallInterceptor} when it has an
 * {@link ObservationRegistry} bean.
 */
@AutoConfiguration(after = GraftRegistryAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, GraftEngine.class})
public class GraftMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean({MeterRegistry.class, PluginRegistry.class})
    public GraftMetrics graftMetrics(MeterRegistry meterRegistry, GraftEngine engine, PluginRegistry registry) {
        return new GraftMetrics(meterRegistry, engine, registry);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ObservationRegistry.class)
    static class Observations {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBean({ObservationRegistry.class, PluginRegistry.class})
        ObservingCallInterceptor graftObservingCallInterceptor(ObservationRegistry observations, PluginRegistry registry) {
            ObservingCallInterceptor interceptor = new ObservingCallInterceptor(observations);
            registry.addCallInterceptor(interceptor);
            return interceptor;
        }
    }
}
