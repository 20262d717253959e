package dev.graft.boot.plugins;

import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.registry.PluginRegistration;
import dev.graft.host.source.PluginSource;
import java.util.List;

/**
 * Turns one plugin's settings into a {@link PluginRegistration}: its source, its effective policy
 * (held under the ceilings), its config, the claimed extension points, and every host function the
 * application offers. Every invalid setting is refused here, naming the property, before anything
 * is loaded.
 */
public final class PluginPlanner {

    private final PolicyResolver policies;
    private final List<HostFunctionBinding> offered;
    private final ClassLoader classLoader;
    private final java.nio.file.Path ociCache;

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
        PluginSpec.Builder spec = PluginSpec.builder(source)
                .policy(policies.resolve(prefix + ".policy", plugin.getPolicy()))
                .config(plugin.getConfig());
        offered.forEach(spec::hostFunction);
        ExtensionPointTypes.ofPlugin(prefix, plugin, classLoader).forEach(spec::extensionPoint);
        return new PluginRegistration(spec.build(), plugin.getOrder(), plugin.isEnabled());
    }
}
