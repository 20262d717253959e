package dev.graft.host.registry;

/**
 * Wraps every typed call made through a {@link PluginRegistry}'s extension views, around the plugin call
 * itself (inside the circuit breaker, outside the fallback): the hook for tracing, where a
 * {@link dev.graft.host.engine.CallListener}, told only after the call, cannot open a scope around it.
 */
@FunctionalInterface
public interface CallInterceptor {

    /**
     * @param pluginId the plugin called
     * @param extensionPoint the extension point interface
     * @param export the export the method maps to
     * @param call runs the plugin call (or the next interceptor); call it exactly once and return its result
     * @return what {@code call} returned
     * @throws Throwable what {@code call} threw, unchanged
     */
    Object intercept(String pluginId, Class<?> extensionPoint, String export, Call call) throws Throwable;

    /** The rest of the call. */
    @FunctionalInterface
    interface Call {
        Object proceed() throws Throwable;
    }
}
