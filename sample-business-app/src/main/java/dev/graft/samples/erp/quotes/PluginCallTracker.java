package dev.graft.samples.erp.quotes;

import dev.graft.api.PluginException;
import dev.graft.host.engine.CallListener;
import dev.graft.host.engine.CallOutcome;
import dev.graft.host.engine.CallStats;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.registry.CallInterceptor;
import dev.graft.host.registry.PluginRegistry;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Sees what happened inside one typed call made through an extension view, even when the extension
 * point's failure policy answered with the fallback (which hides the failure from the caller): the
 * engine's {@link CallListener} reports the call's outcome and cost (also for failed calls), a registry
 * {@link CallInterceptor} sees any {@link PluginException} before the fallback swallows it, and the
 * default pricing rule marks that it answered.
 *
 * <p>Recording is per thread and only between {@link #begin()} and {@link #end()}.
 */
@Component
public class PluginCallTracker implements CallListener, CallInterceptor {

    /** A call that reached the engine. */
    public record EngineCall(String pluginId, String export, CallOutcome outcome, CallStats stats, PluginException failure) {
    }

    /** What one typed call did. */
    public static final class Trace {
        private final List<EngineCall> engineCalls = new ArrayList<>();
        private PluginException thrown;
        private boolean fellBack;

        public List<EngineCall> engineCalls() {
            return engineCalls;
        }

        /** The refusal the plugin call ended with, as the interceptor saw it (before any fallback). */
        public PluginException thrown() {
            return thrown;
        }

        /** Whether the extension point's default answered instead of the plugin. */
        public boolean fellBack() {
            return fellBack;
        }
    }

    private static final ThreadLocal<Trace> CURRENT = new ThreadLocal<>();

    public PluginCallTracker(GraftEngine engine, PluginRegistry registry) {
        engine.addCallListener(this);
        registry.addCallInterceptor(this);
    }

    /** Starts recording on this thread. */
    public void begin() {
        CURRENT.set(new Trace());
    }

    /** Stops recording on this thread and answers what was recorded. */
    public Trace end() {
        Trace trace = CURRENT.get();
        CURRENT.remove();
        return trace == null ? new Trace() : trace;
    }

    /** Called by the extension point's default when it answers for a failed plugin. */
    public void markFallback() {
        Trace trace = CURRENT.get();
        if (trace != null) {
            trace.fellBack = true;
        }
    }

    @Override
    public void onCall(String pluginId, String export, CallOutcome outcome, CallStats stats, PluginException failure) {
        Trace trace = CURRENT.get();
        if (trace != null) {
            trace.engineCalls.add(new EngineCall(pluginId, export, outcome, stats, failure));
        }
    }

    @Override
    public Object intercept(String pluginId, Class<?> extensionPoint, String export, Call call) throws Throwable {
        try {
            return call.proceed();
        } catch (PluginException e) {
            Trace trace = CURRENT.get();
            if (trace != null) {
                trace.thrown = e;
            }
            throw e;
        }
    }
}
