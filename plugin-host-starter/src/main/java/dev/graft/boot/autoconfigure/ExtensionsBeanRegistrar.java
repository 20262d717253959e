package dev.graft.boot.autoconfigure;

import dev.graft.api.Extensions;
import dev.graft.boot.plugins.ConfiguredPlugins;
import dev.graft.boot.plugins.ExtensionPointTypes;
import dev.graft.boot.plugins.FailurePolicies;
import dev.graft.boot.plugins.PluginDirectory;
import dev.graft.host.registry.PluginRegistry;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers one {@code Extensions<T>} bean per extension point named in configuration, with the full
 * generic type, so {@code @Autowired Extensions<PricingRule> rules} resolves. The properties are bound
 * here with Spring's {@link Binder} because bean definitions are registered before the
 * {@code @ConfigurationProperties} bean exists. Each bean is the registry's live view, so it never goes
 * stale; it is created after the configured plugins have been loaded.
 */
class ExtensionsBeanRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware,
        BeanClassLoaderAware {

    private Environment environment;
    private BeanFactory beanFactory;
    private ClassLoader classLoader;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void setBeanClassLoader(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        GraftProperties properties = Binder.get(environment).bind("graft", GraftProperties.class)
                .orElseGet(GraftProperties::new);
        for (Class<?> type : ExtensionPointTypes.all(properties, classLoader).keySet()) {
            ResolvableType beanType = ResolvableType.forClassWithGenerics(Extensions.class, type);
            if (registry instanceof ListableBeanFactory listable
                    && listable.getBeanNamesForType(beanType, true, false).length > 0) {
                continue;   // the application defines this view itself
            }
            RootBeanDefinition definition = new RootBeanDefinition(Extensions.class);
            definition.setTargetType(beanType);
            definition.setInstanceSupplier(() -> view(type));
            registry.registerBeanDefinition("graftExtensions." + type.getName(), definition);
        }
    }

    private Extensions<?> view(Class<?> type) {
        // Load the configured plugins first, so code using the view at startup already sees them.
        beanFactory.getBeanProvider(FailurePolicies.class).ifAvailable(applied -> { });
        beanFactory.getBeanProvider(ConfiguredPlugins.class).ifAvailable(loaded -> { });
        beanFactory.getBeanProvider(PluginDirectory.class).ifAvailable(loaded -> { });
        return beanFactory.getBean(PluginRegistry.class).extensions(type);
    }
}
