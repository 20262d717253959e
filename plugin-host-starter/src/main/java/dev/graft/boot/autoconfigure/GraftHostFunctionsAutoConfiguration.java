package dev.graft.boot.autoconfigure;

import dev.graft.boot.hostfunction.HostFunctionBeans;
import dev.graft.host.binding.PayloadCodec;
import dev.graft.host.engine.GraftEngine;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;

/**
 * Host functions as beans: every {@code @HostFunction} bean method (and {@code HostFunctionBinding}
 * bean) is offered to the configured plugins.
 */
@AutoConfiguration(after = GraftEngineAutoConfiguration.class)
@ConditionalOnClass(GraftEngine.class)
public class GraftHostFunctionsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public HostFunctionBeans graftHostFunctions(ConfigurableListableBeanFactory beanFactory, PayloadCodec codec,
            GraftProperties properties) {
        long maxBytes = properties.getHostFunctions().getMaxBytes().toBytes();
        if (maxBytes <= 0) {
            throw new InvalidConfigurationPropertyValueException(
                    "graft.host-functions.max-bytes", properties.getHostFunctions().getMaxBytes(),
                    "must be a positive size, for example 64KB");
        }
        return new HostFunctionBeans(beanFactory, codec, maxBytes);
    }
}
