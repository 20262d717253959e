package dev.graft.host.registry;

import dev.graft.api.PluginCallException;
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
 * {@link PluginException} and the extension point has a fallback, answers with the fallback's result
 * (unless the plugin is required: a required plugin fails closed).
 *
 * <p>What the breaker counts: traps, timeouts, memory refusals, capability refusals and answers that do not
 * decode are faults of the plugin, and so is a failing host function it called (the breaker protects
 * that backend too). An error the plugin reports itself ({@link PluginCallException} without a cause:
 * Extism {@code error_set}, a non-zero return code or exit) is its answer, not a fault: the breaker counts
 * it as a working call. Refusals that say nothing about the plugin (unavailable, fuel for this input, payload
 * caps) are ignored.
 */
final class GuardedExtension implements InvocationHandler {

    private static final Logger log = LoggerFactory.getLogger(GuardedExtension.class);

    /** What a guard needs of its registry, read at call time so configuration changes apply at once. */
    interface Policies {
        CircuitBreaker breaker(String pluginId);

        /** The fallback of the extension point, or null to throw. */
        Supplier<?> fallback(Class<?> type);

        List<CallInterceptor> interceptors();

        /** Whether the plugin is required: its failures are never answered by the fallback. */
        boolean required(String pluginId);

        /** The plugin's breaker opened (an audit event). */
        void breakerOpened(String pluginId, String lastFailure);

        /** The plugin's breaker closed after a quarantine (an audit event). */
        void breakerClosed(String pluginId, String why);
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
        } catch (PluginCallException e) {
            if (e.getCause() != null) {
                // A host function it called failed (a backend down): counted, the breaker protects the backend too.
                if (breaker.onFailure()) {
                    quarantined(e);
                }
            } else {
                // The plugin ran and answered with an error of its own (for example "no tax rate for PL"): it works.
                succeeded(breaker);
            }
            return failed(method, args, breaker, e);
        } catch (PluginUnavailableException | PluginFuelExhaustedException | PluginPayloadException e) {
            // Not a sign of a broken plugin: unavailable, or this input is too big for its budget or caps.
            breaker.onIgnored();
            return failed(method, args, breaker, e);
        } catch (PluginException e) {
            if (breaker.onFailure()) {
                quarantined(e);
            }
            return failed(method, args, breaker, e);
        } catch (Throwable t) {
            breaker.onIgnored();
            throw t;
        }
        succeeded(breaker);
        return result;
    }

    private void quarantined(PluginException lastFailure) {
        CircuitBreaker breaker = policies.breaker(pluginId);
        log.warn("Plugin '{}' quarantined after {} consecutive failures; its calls are refused{} for {}. "
                + "Last failure: {}", pluginId, breaker.failureThreshold(),
                policies.fallback(type) != null && !policies.required(pluginId)
                        ? " (answered by the default " + type.getSimpleName() + ")" : "",
                breaker.coolDown(), lastFailure.getMessage());
        policies.breakerOpened(pluginId, lastFailure.getMessage());
    }

    private void succeeded(CircuitBreaker breaker) {
        if (breaker.onSuccess()) {
            log.info("Plugin '{}' released from quarantine: its trial call succeeded", pluginId);
            policies.breakerClosed(pluginId, "a trial call after the cool-down succeeded");
        }
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
        if (fallback == null || policies.required(pluginId)) {
            throw failure;   // a required plugin fails closed
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
