package dev.graft.host.engine;

import dev.graft.api.FuelBudget;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.abi.HostFunctionHandler;
import dev.graft.host.source.PluginSource;
import dev.graft.host.trust.TrustPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to load one plugin: its source, policy, configuration (Extism {@code config_get}),
 * the host functions offered to it, the extension points it claims to implement and the trust policy its
 * signature must satisfy. Immutable.
 */
public final class PluginSpec {

    private final PluginSource source;
    private final PluginPolicy policy;
    private final Map<String, String> config;
    private final Map<String, HostFunctionBinding> hostFunctions;
    private final List<Class<?>> extensionPoints;
    private final Map<Class<?>, FuelBudget<?>> fuelBudgets;
    private final TrustPolicy trust;

    private PluginSpec(Builder b) {
        this.source = b.source;
        this.policy = b.policy;
        this.config = Collections.unmodifiableMap(new LinkedHashMap<>(b.config));
        this.hostFunctions = Collections.unmodifiableMap(new LinkedHashMap<>(b.hostFunctions));
        this.extensionPoints = List.copyOf(b.extensionPoints);
        this.fuelBudgets = Map.copyOf(b.fuelBudgets);
        this.trust = b.trust;
    }

    /** A spec with the default policy and nothing else. */
    public static PluginSpec of(PluginSource source) {
        return builder(source).build();
    }

    public static Builder builder(PluginSource source) {
        return new Builder(source);
    }

    public PluginSource source() {
        return source;
    }

    public PluginPolicy policy() {
        return policy;
    }

    public Map<String, String> config() {
        return config;
    }

    /** Host functions offered; a plugin may import only those its policy also grants by name. */
    public Map<String, HostFunctionBinding> hostFunctions() {
        return hostFunctions;
    }

    public List<Class<?>> extensionPoints() {
        return extensionPoints;
    }

    /** Hooks that scale the fuel budget of typed calls, per extension point interface. */
    public Map<Class<?>, FuelBudget<?>> fuelBudgets() {
        return fuelBudgets;
    }

    /**
     * Which signing keys the module must be signed by; {@link TrustPolicy#none()} (the default) loads
     * unsigned modules without looking for a signature.
     */
    public TrustPolicy trust() {
        return trust;
    }

    /** Builder for {@link PluginSpec}. */
    public static final class Builder {
        private final PluginSource source;
        private PluginPolicy policy = PluginPolicy.defaults();
        private final Map<String, String> config = new LinkedHashMap<>();
        private final Map<String, HostFunctionBinding> hostFunctions = new LinkedHashMap<>();
        private final List<Class<?>> extensionPoints = new ArrayList<>();
        private final Map<Class<?>, FuelBudget<?>> fuelBudgets = new LinkedHashMap<>();
        private TrustPolicy trust = TrustPolicy.none();

        private Builder(PluginSource source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        public Builder policy(PluginPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public Builder config(String key, String value) {
            config.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder config(Map<String, String> values) {
            values.forEach(this::config);
            return this;
        }

        public Builder hostFunction(HostFunctionBinding binding) {
            hostFunctions.put(binding.name(), binding);
            return this;
        }

        public Builder hostFunction(String name, HostFunctionHandler handler) {
            return hostFunction(new HostFunctionBinding(name, handler));
        }

        /** Claims an {@code @ExtensionPoint} interface: the plugin is refused at load if it lacks an export. */
        public Builder extensionPoint(Class<?> type) {
            extensionPoints.add(Objects.requireNonNull(type, "type"));
            return this;
        }

        /** Scales the fuel budget of typed calls through {@code extensionPoint} with their argument. */
        public <A> Builder fuelBudget(Class<?> extensionPoint, FuelBudget<A> budget) {
            fuelBudgets.put(Objects.requireNonNull(extensionPoint, "extensionPoint"), Objects.requireNonNull(budget, "budget"));
            return this;
        }

        /** The trust policy the module's signature is checked against at load (default: none). */
        public Builder trust(TrustPolicy trust) {
            this.trust = Objects.requireNonNull(trust, "trust");
            return this;
        }

        public PluginSpec build() {
            return new PluginSpec(this);
        }
    }
}
