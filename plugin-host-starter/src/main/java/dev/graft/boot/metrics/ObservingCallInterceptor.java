package dev.graft.boot.metrics;

import dev.graft.api.ExtensionPoint;
import dev.graft.api.PluginException;
import dev.graft.host.engine.CallOutcome;
import dev.graft.host.registry.CallInterceptor;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Locale;

/**
 * An {@link Observation} {@code graft.plugin.call} around every call through the registry's extension
 * views, so tracing shows plugin calls as spans (and log lines inside them carry the trace). Low
 * cardinality keys: {@code plugin}, {@code export}, {@code extension.point}, {@code outcome}.
 */
public class ObservingCallInterceptor implements CallInterceptor {

    static final String NAME = "graft.plugin.call";

    private final ObservationRegistry observations;

    public ObservingCallInterceptor(ObservationRegistry observations) {
        this.observations = observations;
    }

    @Override
    public Object intercept(String pluginId, Class<?> extensionPoint, String export, Call call) throws Throwable {
        ExtensionPoint point = extensionPoint.getAnnotation(ExtensionPoint.class);
        Observation observation = Observation.createNotStarted(NAME, observations)
                .contextualName("graft " + pluginId + " " + export)
                .lowCardinalityKeyValue("plugin", pluginId)
                .lowCardinalityKeyValue("export", export)
                .lowCardinalityKeyValue("extension.point", point == null ? extensionPoint.getName() : point.id())
                .start();
        String outcome = "ok";
        try (Observation.Scope scope = observation.openScope()) {
            return call.proceed();
        } catch (Throwable t) {
            outcome = t instanceof PluginException e ? CallOutcome.of(e).name().toLowerCase(Locale.ROOT) : "exception";
            observation.error(t);
            throw t;
        } finally {
            observation.lowCardinalityKeyValue("outcome", outcome);
            observation.stop();
        }
    }
}
