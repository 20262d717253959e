package dev.graft.boot.plugins;

import dev.graft.api.DefaultExtension;
import dev.graft.api.ExtensionPoint;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.registry.PluginRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Applies {@code graft.breaker.*} and {@code graft.extension-point-policies.*} to the
 * {@link PluginRegistry}: the circuit breaker every plugin has, and for each extension point whose
 * {@code on-failure} is {@code fallback}, the bean annotated {@link DefaultExtension} that answers when a
 * plugin call fails. The default bean is looked up when a call first needs it, so it may itself depend
 * on the extension point's {@code Extensions<T>}.
 *
 * <p>Every mistake fails startup naming the property: an unknown {@code on-failure} value, a key that
 * names no extension point, {@code fallback} without a default bean, two default beans for one point.
 */
public class FailurePolicies implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(FailurePolicies.class);
    static final String POLICIES_PREFIX = "graft.extension-point-policies";

    private final GraftProperties properties;
    private final PluginRegistry registry;
    private final ListableBeanFactory beans;
    private final ClassLoader classLoader;

    public FailurePolicies(GraftProperties properties, PluginRegistry registry, ListableBeanFactory beans,
            ClassLoader classLoader) {
        this.properties = properties;
        this.registry = registry;
        this.beans = beans;
        this.classLoader = classLoader;
    }

    @Override
    public void afterPropertiesSet() {
        configureBreaker();
        Map<Class<?>, String> defaults = defaultBeans();
        Set<Class<?>> known = new LinkedHashSet<>(ExtensionPointTypes.all(properties, classLoader).keySet());
        known.addAll(defaults.keySet());
        properties.getExtensionPointPolicies().forEach((key, policy) -> apply(key, policy, known, defaults));
    }

    private void configureBreaker() {
        GraftProperties.Breaker breaker = properties.getBreaker();
        if (breaker.getFailureThreshold() < 0) {
            throw PolicyResolver.invalid("graft.breaker.failure-threshold", breaker.getFailureThreshold(),
                    "must be 0 (no breaker) or positive");
        }
        Duration coolDown = breaker.getCoolDown();
        if (coolDown == null || coolDown.isNegative()) {
            throw PolicyResolver.invalid("graft.breaker.cool-down", coolDown, "must be a duration of 0 or more, for example 30s");
        }
        registry.configureBreaker(breaker.getFailureThreshold(), coolDown);
    }

    /** Extension point → name of the bean that is its default. */
    private Map<Class<?>, String> defaultBeans() {
        Map<Class<?>, String> defaults = new LinkedHashMap<>();
        for (String name : beans.getBeanNamesForAnnotation(DefaultExtension.class)) {
            DefaultExtension annotation = beans.findAnnotationOnBean(name, DefaultExtension.class);
            Class<?> beanType = beans.getType(name);
            Set<Class<?>> points = new LinkedHashSet<>();
            if (annotation != null && annotation.value().length > 0) {
                points.addAll(Arrays.asList(annotation.value()));
            } else if (beanType != null) {
                for (Class<?> type : ClassUtils.getAllInterfacesForClassAsSet(beanType, classLoader)) {
                    if (type.isAnnotationPresent(ExtensionPoint.class)) {
                        points.add(type);
                    }
                }
            }
            if (points.isEmpty()) {
                throw new IllegalStateException("Bean '" + name + "' is annotated @DefaultExtension but implements no "
                        + "interface annotated @" + ExtensionPoint.class.getName());
            }
            for (Class<?> point : points) {
                if (!point.isAnnotationPresent(ExtensionPoint.class)
                        || (beanType != null && !point.isAssignableFrom(beanType))) {
                    throw new IllegalStateException("Bean '" + name + "' is annotated @DefaultExtension(" + point.getName()
                            + ") but " + (point.isAnnotationPresent(ExtensionPoint.class)
                                    ? "does not implement it" : "that is not an @ExtensionPoint interface"));
                }
                String other = defaults.putIfAbsent(point, name);
                if (other != null) {
                    throw new IllegalStateException("Two beans are annotated @DefaultExtension for " + point.getName()
                            + ": '" + other + "' and '" + name + "'; keep one");
                }
            }
        }
        return defaults;
    }

    private void apply(String key, GraftProperties.ExtensionPointPolicy policy, Set<Class<?>> known,
            Map<Class<?>, String> defaults) {
        String property = POLICIES_PREFIX + "." + key + ".on-failure";
        Class<?> type = resolve(key, known);
        String onFailure = policy.getOnFailure() == null ? "" : policy.getOnFailure().trim().toLowerCase(Locale.ROOT);
        switch (onFailure) {
            case "throw" -> registry.setFallbackSupplier(type, null);
            case "fallback" -> {
                String bean = defaults.get(type);
                if (bean == null) {
                    throw PolicyResolver.invalid(property, policy.getOnFailure(), "no bean annotated @"
                            + DefaultExtension.class.getSimpleName() + " implements " + type.getName()
                            + " to fall back to");
                }
                fallBack(type, bean);
                log.info("Extension point {}: a failed plugin call is answered by bean '{}'", type.getName(), bean);
            }
            default -> throw PolicyResolver.invalid(property, policy.getOnFailure(), "allowed values are throw, fallback");
        }
    }

    private <T> void fallBack(Class<T> type, String bean) {
        registry.setFallbackSupplier(type, () -> beans.getBean(bean, type));
    }

    /** The extension point a key names: an {@code @ExtensionPoint} id, or a fully qualified interface name. */
    private Class<?> resolve(String key, Set<Class<?>> known) {
        for (Class<?> type : known) {
            if (type.getAnnotation(ExtensionPoint.class).id().equals(key) || type.getName().equals(key)) {
                return type;
            }
        }
        String property = POLICIES_PREFIX + "." + key;
        if (key.contains(".")) {
            return ExtensionPointTypes.resolve(property, key, classLoader);
        }
        throw PolicyResolver.invalid(property, key, "names no known extension point: use the @ExtensionPoint id of "
                + "one named in graft.extension-points or graft.plugins.<id>.extension-points, or implemented by a "
                + "@DefaultExtension bean, or the interface's fully qualified name in brackets");
    }
}
