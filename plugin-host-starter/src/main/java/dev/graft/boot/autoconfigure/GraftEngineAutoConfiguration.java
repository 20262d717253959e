package dev.graft.boot.autoconfigure;

import dev.graft.host.binding.JacksonPayloadCodec;
import dev.graft.host.binding.PayloadCodec;
import dev.graft.host.engine.GraftEngine;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;

/**
 * The compile-time half of Graft: the {@link GraftEngine} (one per application; it compiles each
 * module once) and the {@link PayloadCodec} typed calls and host functions use (Jackson 2 JSON).
 */
@AutoConfiguration
@ConditionalOnClass(GraftEngine.class)
@EnableConfigurationProperties(GraftProperties.class)
public class GraftEngineAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public GraftEngine graftEngine(GraftProperties properties, ResourceLoader resourceLoader) {
        return GraftEngine.builder()
                .compileCache(properties.getCompileCacheDir() == null ? null : properties.getCompileCacheDir().toPath())
                // Plugins compiled at build time into the application's jar (graft compile --classpath-output).
                .classpathCompileCache(properties.isClasspathCompileCache() ? resourceLoader.getClassLoader() : null)
                .compilerThreads(properties.getCompilerThreads())
                .build();
    }

    @Bean
    @ConditionalOnMissingBean
    public PayloadCodec graftPayloadCodec() {
        return new JacksonPayloadCodec();
    }
}
