package dev.graft.samples.erp.replay;

import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.boot.hostfunction.HostFunctionBeans;
import dev.graft.host.binding.JacksonPayloadCodec;
import dev.graft.host.binding.PayloadCodec;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Replaces two of the starter's beans (each {@code @ConditionalOnMissingBean}) with recording twins, so
 * every rule run can be stored with what crossed the sandbox's boundary: the payload codec typed calls use
 * (the same Jackson JSON as the starter's) and the host functions offered to plugins.
 */
@Configuration(proxyBeanMethods = false)
public class RecordingConfiguration {

    @Bean
    public PayloadCodec recordingPayloadCodec() {
        return new RecordingPayloadCodec(new JacksonPayloadCodec());
    }

    /** As the starter's {@code graftHostFunctions} (which backs off for this one), {@code graft.host-functions.max-bytes} checked alike. */
    @Bean
    public HostFunctionBeans recordingHostFunctions(ConfigurableListableBeanFactory beanFactory, PayloadCodec codec,
            GraftProperties properties) {
        long maxBytes = properties.getHostFunctions().getMaxBytes().toBytes();
        if (maxBytes <= 0) {
            throw new IllegalStateException("graft.host-functions.max-bytes must be a positive size, was "
                    + properties.getHostFunctions().getMaxBytes());
        }
        return new RecordingHostFunctions(beanFactory, codec, maxBytes);
    }
}
