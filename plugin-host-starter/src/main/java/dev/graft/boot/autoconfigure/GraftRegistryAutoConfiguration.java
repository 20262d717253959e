package dev.graft.boot.autoconfigure;

import dev.graft.boot.audit.PluginLifecycleEvents;
import dev.graft.boot.audit.Principals;
import dev.graft.boot.hostfunction.HostFunctionBeans;
import dev.graft.boot.plugins.ConfiguredPlugins;
import dev.graft.boot.plugins.FailurePolicies;
import dev.graft.boot.plugins.PluginDirectory;
import dev.graft.boot.plugins.PluginPlanner;
import dev.graft.host.binding.PayloadCodec;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginStatistics;
import dev.graft.host.abi.HostFunctionBinding;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ResourceLoader;

/**
 * The {@link PluginRegistry}, the plugins of {@code graft.plugins.*} loaded into it at startup, the
 * plugin folder {@code graft.plugin-dir} (loaded at startup, then watched), and an injectable live
 * {@code Extensions<T>} for every extension point named in configuration, the failure policies
 * ({@code graft.breaker.*}, {@code graft.extension-point-policies.*}) and call statistics.
 */
@AutoConfiguration(after = {GraftEngineAutoConfiguration.class, GraftHostFunctionsAutoConfiguration.class})
@ConditionalOnClass(GraftEngine.class)
@Import(ExtensionsBeanRegistrar.class)
public class GraftRegistryAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public PluginRegistry graftPluginRegistry(GraftEngine engine, PayloadCodec codec) {
        return new PluginRegistry(engine, codec);
    }

    @Bean
    @ConditionalOnMissingBean
    public PluginStatistics graftPluginStatistics(GraftEngine engine) {
        return PluginStatistics.attachTo(engine);
    }

    /** Lifecycle changes as application events (an audit trail), with the recent ones for the actuator endpoint. */
    @Bean
    @ConditionalOnMissingBean
    public PluginLifecycleEvents graftPluginLifecycleEvents(PluginRegistry registry, ApplicationEventPublisher publisher,
            ResourceLoader resourceLoader) {
        return new PluginLifecycleEvents(registry, publisher, Principals.current(resourceLoader.getClassLoader()),
                PluginLifecycleEvents.DEFAULT_CAPACITY);
    }

    @Bean
    @ConditionalOnMissingBean
    public FailurePolicies graftFailurePolicies(GraftProperties properties, PluginRegistry registry,
            ListableBeanFactory beanFactory, ResourceLoader resourceLoader) {
        return new FailurePolicies(properties, registry, beanFactory, resourceLoader.getClassLoader());
    }

    @Bean
    @ConditionalOnMissingBean
    public ConfiguredPlugins graftConfiguredPlugins(GraftProperties properties, PluginRegistry registry,
            ObjectProvider<HostFunctionBeans> hostFunctions, ObjectProvider<FailurePolicies> failurePolicies,
            ObjectProvider<PluginLifecycleEvents> lifecycleEvents, ResourceLoader resourceLoader) {
        failurePolicies.ifAvailable(applied -> { });   // breaker and fallbacks before any plugin serves
        lifecycleEvents.ifAvailable(listening -> { });   // the audit trail sees the first loads
        // Asked for when loading, so host function beans are discovered after all bean definitions exist.
        Supplier<List<HostFunctionBinding>> offered = () -> offered(hostFunctions);
        return new ConfiguredPlugins(properties, registry, offered, resourceLoader.getClassLoader());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty("graft.plugin-dir")
    public PluginDirectory graftPluginDirectory(GraftProperties properties, PluginRegistry registry,
            ObjectProvider<HostFunctionBeans> hostFunctions, ObjectProvider<ConfiguredPlugins> configuredPlugins,
            ResourceLoader resourceLoader) {
        configuredPlugins.ifAvailable(loaded -> { });   // configured plugins first: their ids win over files
        PluginPlanner planner = new PluginPlanner(properties, offered(hostFunctions), resourceLoader.getClassLoader());
        return new PluginDirectory(properties.getPluginDir().toPath(), properties.getPluginDirPollInterval(), registry,
                planner, properties.getPlugins().keySet());
    }

    private static List<HostFunctionBinding> offered(ObjectProvider<HostFunctionBeans> hostFunctions) {
        HostFunctionBeans beans = hostFunctions.getIfAvailable();
        return beans == null ? List.of() : beans.bindings();
    }
}
