package dev.graft.boot.actuate;

import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.registry.CircuitBreaker;
import dev.graft.host.registry.PluginDescriptor;
import dev.graft.host.registry.PluginStatistics;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * One plugin as the {@code graft} actuator endpoint shows it: what serves, from where, under which
 * policy, how its breaker stands and how its calls went.
 *
 * @param id plugin id
 * @param state enabled, disabled, quarantined or failed (lower case)
 * @param serving whether calls reach it now
 * @param required whether the application declared it required ({@code graft.plugins.<id>.required})
 * @param uploaded whether the serving version is an upload, not the configured location's ({@code reload}
 *     and {@code revert} return to the configured one)
 * @param location where the module is read from
 * @param sha256 digest of the serving module (the plugin's version), or null when none loaded
 * @param loadedAt when the serving version was loaded (ISO-8601)
 * @param order position in extension views
 * @param extensionPoints ids of the extension points it implements
 * @param lastError why the last load or reload failed, or null
 * @param policy the effective policy
 * @param breaker the circuit breaker
 * @param statistics calls so far, over all exports
 * @param exports calls so far, per export
 */
public record PluginReport(String id, String state, boolean serving, boolean required, boolean uploaded,
        String location, String sha256,
        String loadedAt, int order, List<String> extensionPoints, String lastError, PolicyReport policy,
        BreakerReport breaker, PluginStatistics.Snapshot statistics, Map<String, PluginStatistics.Snapshot> exports) {

    static PluginReport of(PluginDescriptor d, boolean required, boolean uploaded, PluginStatistics statistics) {
        return new PluginReport(d.id(), lower(d.state()), d.serving(), required, uploaded, d.location(), d.sha256(), text(d.loadedAt()),
                d.order(), d.extensionPoints(), d.lastError(), PolicyReport.of(d.policy()), BreakerReport.of(d.breaker()),
                statistics.ofOrEmpty(d.id()), statistics.byExport(d.id()));
    }

    /** ISO-8601, so any JSON mapper writes it the same way. */
    static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The effective policy; sizes in bytes, the timeout in milliseconds. */
    public record PolicyReport(long maxMemoryBytes, long timeoutMillis, long fuel, long maxInputBytes,
            long maxOutputBytes, long maxModuleBytes, long maxVarBytes, String instances, int poolSize, String mode,
            CapabilitiesReport capabilities) {

        static PolicyReport of(PluginPolicy p) {
            return new PolicyReport(p.maxMemoryBytes(), p.timeout().toMillis(), p.fuel(), p.maxInputBytes(),
                    p.maxOutputBytes(), p.maxModuleBytes(), p.maxVarBytes(), lower(p.instances()), p.poolSize(),
                    lower(p.mode()), CapabilitiesReport.of(p.capabilities()));
        }
    }

    /** Granted capabilities; environment variables by name only (their values may be secrets). */
    public record CapabilitiesReport(List<String> hostFunctions, boolean wasi, boolean clock, boolean random,
            boolean stdout, boolean stderr, List<String> env, List<String> files, List<String> allowedHosts) {

        static CapabilitiesReport of(Capabilities c) {
            return new CapabilitiesReport(List.copyOf(new TreeSet<>(c.hostFunctions())), c.wasi(), c.clock(), c.random(),
                    c.stdout(), c.stderr(), List.copyOf(new TreeSet<>(c.env().keySet())),
                    List.copyOf(new TreeSet<>(c.files().keySet())), List.copyOf(c.allowedHosts()));
        }
    }

    /** The circuit breaker: state closed, open or half_open, and its counts. */
    public record BreakerReport(String state, int consecutiveFailures, int failureThreshold, long coolDownMillis,
            String openedAt, long timesOpened, long rejectedCalls, long fallbacks) {

        static BreakerReport of(CircuitBreaker.Status s) {
            return new BreakerReport(lower(s.state()), s.consecutiveFailures(), s.failureThreshold(),
                    s.coolDown().toMillis(), text(s.openedAt()), s.timesOpened(), s.rejectedCalls(), s.fallbacks());
        }
    }
}
