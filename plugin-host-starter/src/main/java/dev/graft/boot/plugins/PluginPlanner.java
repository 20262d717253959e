package dev.graft.boot.plugins;

import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.registry.PluginRegistration;
import dev.graft.host.source.PluginSource;
import java.util.List;

/**
 * Turns one plugin's settings into a {@link PluginRegistration}: its source, its effective policy
 * (held under the ceilings), its config, the claimed extension points, its trust policy (keys and
 * whether a signature is required, see {@link TrustPolicies}), and every host function the
 * application offers. Configured plugins, the plugin folder and uploads all plan through here, so
 * every way bytes arrive meets the same trust policy. Every invalid setting is refused here, naming the property, before anything
 * is loaded.
 */
public final class PluginPlanner {

    private final PolicyResolver policies;
    private final List<HostFunctionBinding> offered;
    private final ClassLoader classLoader;
    private final java.nio.file.Path ociCache;
    private final TrustPolicies trust;

    /**
     * Checks {@code graft.limits.*} and {@code graft.defaults.policy.*} at once.
     *
     * @param properties the bound settings
     * @param offered the host functions offered to every plugin
     * @param classLoader where extension point classes and {@code classpath:} modules are found
     */
    public PluginPlanner(GraftProperties properties, List<HostFunctionBinding> offered, ClassLoader classLoader) {
        this.policies = new PolicyResolver(properties.getLimits(), properties.getDefaults().getPolicy(), classLoader);
        this.ociCache = OciCacheDirectory.of(properties);
        this.offered = List.copyOf(offered);
        this.classLoader = classLoader;
        this.trust = new TrustPolicies(properties, classLoader);
    }

    /**
     * The trust policy a plugin with these settings is loaded under (see {@link TrustPolicies}): for
     * bytes that arrive another way, such as an upload, so that they meet the same policy.
     */
    public dev.graft.host.trust.TrustPolicy trust(String prefix, GraftProperties.Plugin plugin) {
        return trust.resolve(prefix, plugin, ExtensionPointTypes.ofPlugin(prefix, plugin, classLoader));
    }

    /**
     * The registration of one plugin.
     *
     * @param id the plugin id
     * @param prefix the name its settings are reported under, e.g. {@code graft.plugins.rules}
     * @param plugin its settings
     */
    public PluginRegistration plan(String id, String prefix, GraftProperties.Plugin plugin) {
        PluginSource source = PluginLocations.resolve(id, prefix, plugin.getLocation(), plugin.getSha256(), classLoader,
                ociCache);
        return plan(prefix, plugin, source);
    }

    /**
     * The registration of one plugin whose bytes come from {@code source} instead of its configured
     * location (an upload: {@code PluginSource.ofBytes(id, bytes).withSignature(signature)}), with every
     * other setting, the trust policy included, from {@code plugin}. The plugin id is the source's.
     */
    public PluginRegistration plan(String prefix, GraftProperties.Plugin plugin, PluginSource source) {
        List<Class<?>> claimed = ExtensionPointTypes.ofPlugin(prefix, plugin, classLoader);
        PluginSpec.Builder spec = PluginSpec.builder(source)
                .policy(policies.resolve(prefix + ".policy", plugin.getPolicy()))
                .config(plugin.getConfig())
                .trust(trust.resolve(prefix, plugin, claimed));
        offered.forEach(spec::hostFunction);
        claimed.forEach(spec::extensionPoint);
        return new PluginRegistration(spec.build(), plugin.getOrder(), plugin.isEnabled());
    }
}
