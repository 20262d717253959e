package dev.graft.host.registry;

import dev.graft.api.PluginException;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.PluginQuarantinedException;
import dev.graft.api.PluginUnavailableException;
import dev.graft.host.binding.ExtensionContract;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an element of an extension view is: the plugin's typed proxy behind its circuit breaker, the
 * registry's interceptors and the extension point's failure policy. A call first asks the breaker (a
 * quarantined plugin is refused at once with {@link PluginQuarantinedException}), then runs the plugin
 * through the interceptors, tells the breaker how it went and, when it failed with a
 * {@link PluginException} and the extension point has a fallback, answers with the fallback's result.
 */
final class GuardedExtension implements InvocationHandler {

    private static final Logger log = LoggerFactory.getLogger(GuardedExtension.class);

    /** What a guard needs of its registry, read at call time so configuration changes apply at once. */
    interface Policies {
        CircuitBreaker breaker(String pluginId);

        /** The fallback of the extension point, or null to throw. */
        Supplier<?> fallback(Class<?> type);

        List<CallInterceptor> interceptors();
    }

    private final String pluginId;
    private final Class<?> type;
    private final ExtensionContract contract;
    private final Object target;
    private final Policies policies;

    private GuardedExtension(String pluginId, Class<?> type, Object target, Policies policies) {
        this.pluginId = pluginId;
        this.type = type;
        this.contract = ExtensionContract.of(type);
        this.target = target;
        this.policies = policies;
    }

    static <T> T wrap(String pluginId, Class<T> type, T target, Policies policies) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                new GuardedExtension(pluginId, type, target, policies)));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "Extension{" + contract.id() + " -> " + pluginId + "}";
            };
        }
        if (method.isDefault()) {
            // Its calls to abstract methods come back through this guard.
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        String export = contract.exportOf(method);
        CircuitBreaker breaker = policies.breaker(pluginId);
        if (!breaker.tryAcquire()) {
            return failed(method, args, breaker, new PluginQuarantinedException(pluginId, export,
                    breaker.failureThreshold(), breaker.coolDown(), breaker.remainingCoolDown()));
        }
        Object result;
        try {
            result = intercepted(policies.interceptors(), 0, export, () -> callTarget(method, args));
        } catch (PluginUnavailableException | PluginFuelExhaustedException | PluginPayloadException e) {
            // Not a sign of a broken plugin: unavailable, or this input is too big for its budget or caps.
            breaker.onIgnored();
            return failed(method, args, breaker, e);
        } catch (PluginException e) {
            if (breaker.onFailure()) {
                log.warn("Plugin '{}' quarantined after {} consecutive failures; its calls are refused{} for {}. "
                        + "Last failure: {}", pluginId, breaker.failureThreshold(),
                        policies.fallback(type) != null ? " (answered by the default " + type.getSimpleName() + ")" : "",
                        breaker.coolDown(), e.getMessage());
            }
            return failed(method, args, breaker, e);
        } catch (Throwable t) {
            breaker.onIgnored();
            throw t;
        }
        breaker.onSuccess();
        return result;
    }

    private Object intercepted(List<CallInterceptor> interceptors, int index, String export, CallInterceptor.Call call)
            throws Throwable {
        if (index == interceptors.size()) {
            return call.proceed();
        }
        return interceptors.get(index).intercept(pluginId, type, export,
                () -> intercepted(interceptors, index + 1, export, call));
    }

    private Object callTarget(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The fallback's answer, or the failure when the extension point has none. */
    private Object failed(Method method, Object[] args, CircuitBreaker breaker, PluginException failure)
            throws Throwable {
        Supplier<?> fallback = policies.fallback(type);
        if (fallback == null) {
            throw failure;
        }
        Object implementation = fallback.get();
        breaker.onFallback();
        log.debug("Plugin '{}' failed, answered by the default {}: {}", pluginId, type.getName(), failure.getMessage());
        try {
            return method.invoke(implementation, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            cause.addSuppressed(failure);
            throw cause;
        }
    }
}
