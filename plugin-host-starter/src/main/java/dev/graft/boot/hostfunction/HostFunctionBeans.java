package dev.graft.boot.hostfunction;

import dev.graft.api.HostFunction;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.binding.PayloadCodec;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;

/**
 * The host functions the application offers to plugins: every bean method annotated
 * {@link HostFunction}, plus every {@link HostFunctionBinding} bean, their bytes form capped at
 * {@code graft.host-functions.max-bytes}. A bean method also offers its typed form, from its generic
 * parameter and return types, so that one method serves Extism modules (JSON or bytes) and components
 * (the canonical ABI, whose values are held to the plugin's {@code max-input-bytes} and
 * {@code max-output-bytes}). Offering is not granting: a plugin imports a host function only when its
 * policy names it.
 *
 * <p>Methods are found from bean definitions, without creating the beans, and a bean is looked up when
 * a plugin calls it. So a host function bean may itself depend on plugins (inject {@code Extensions})
 * without a cycle at startup.
 */
public class HostFunctionBeans {

    private final ConfigurableListableBeanFactory beanFactory;
    private final PayloadCodec codec;
    private final long maxBytes;
    private volatile List<HostFunctionBinding> bindings;

    /**
     * @param beanFactory where beans are found
     * @param codec converts between the plugin's payload and the method's parameter and result
     * @param maxBytes largest payload in either direction
     */
    public HostFunctionBeans(ConfigurableListableBeanFactory beanFactory, PayloadCodec codec, long maxBytes) {
        this.beanFactory = beanFactory;
        this.codec = codec;
        this.maxBytes = maxBytes;
    }

    /**
     * Every host function offered, discovered on first use.
     *
     * @throws IllegalStateException for a malformed {@code @HostFunction} method or a name offered twice
     */
    public List<HostFunctionBinding> bindings() {
        List<HostFunctionBinding> found = bindings;
        if (found == null) {
            synchronized (this) {
                found = bindings;
                if (found == null) {
                    found = discover();
                    bindings = found;
                }
            }
        }
        return found;
    }

    private List<HostFunctionBinding> discover() {
        Map<String, HostFunctionBinding> byName = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        for (String beanName : beanFactory.getBeanDefinitionNames()) {
            if (ScopedProxyUtils.isScopedTarget(beanName)) {
                continue;
            }
            Class<?> type;
            try {
                type = beanFactory.getType(beanName, false);
            } catch (RuntimeException | LinkageError e) {
                continue;   // an unresolvable bean type cannot carry host functions we could call
            }
            if (type == null || !AnnotationUtils.isCandidateClass(type, HostFunction.class)) {
                continue;
            }
            Class<?> userType = ClassUtils.getUserClass(type);
            Map<Method, HostFunction> methods = MethodIntrospector.selectMethods(userType,
                    (MethodIntrospector.MetadataLookup<HostFunction>) m ->
                            AnnotatedElementUtils.findMergedAnnotation(m, HostFunction.class));
            for (Map.Entry<Method, HostFunction> annotated : methods.entrySet()) {
                Method method = annotated.getKey();
                String name = annotated.getValue().value().trim();
                String origin = userType.getName() + "." + method.getName() + " (bean '" + beanName + "')";
                check(name, method, origin);
                BeanMethodHostFunction function = new BeanMethodHostFunction(name, beanFactory, beanName, method, codec);
                add(byName, origins, origin, new HostFunctionBinding(name, function, function.typedForm()));
            }
        }
        for (Map.Entry<String, HostFunctionBinding> bean : beanFactory.getBeansOfType(HostFunctionBinding.class).entrySet()) {
            HostFunctionBinding binding = bean.getValue();
            add(byName, origins, "HostFunctionBinding bean '" + bean.getKey() + "'", binding);
        }
        return List.copyOf(byName.values());
    }

    private static void check(String name, Method method, String origin) {
        if (name.isEmpty()) {
            throw new IllegalStateException("@HostFunction on " + origin + " has a blank name");
        }
        if (method.getParameterCount() > 1) {
            throw new IllegalStateException("@HostFunction(\"" + name + "\") " + origin + " takes "
                    + method.getParameterCount() + " parameters; a host function takes at most one (wrap them in a record)");
        }
    }

    private void add(Map<String, HostFunctionBinding> byName, Map<String, String> origins, String origin,
            HostFunctionBinding binding) {
        String name = binding.name();
        String previous = origins.putIfAbsent(name, origin);
        if (previous != null) {
            throw new IllegalStateException("host function '" + name + "' is offered twice: by " + previous + " and by "
                    + origin);
        }
        byName.put(name, binding.withHandler(new SizeCappedHostFunction(name, maxBytes, binding.handler())));
    }

    /** The names offered, for logs and diagnostics. */
    public List<String> names() {
        return new ArrayList<>(bindings().stream().map(HostFunctionBinding::name).toList());
    }
}
