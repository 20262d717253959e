package dev.graft.boot.plugins;

import dev.graft.api.PluginLoadException;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.registry.PluginRegistration;
import dev.graft.host.registry.PluginRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;

/**
 * Loads the plugins named under {@code graft.plugins.*} into the {@link PluginRegistry} when the
 * application starts.
 *
 * <p>All settings are checked first, so a mistake anywhere fails startup before any plugin runs. Then
 * each plugin is loaded with every host function the application offers (its policy decides which it
 * may import). A plugin marked {@code required} that is refused fails startup with the refusal; any
 * other is logged and stays registered as {@code FAILED}. A required plugin is also
 * {@linkplain PluginRegistry#setRequired marked required} in the registry: while it does not serve
 * (disabled, quarantined, unloaded), its extension points' calls fail instead of skipping it or falling
 * back to a default.
 */
public class ConfiguredPlugins implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(ConfiguredPlugins.class);

    private final GraftProperties properties;
    private final PluginRegistry registry;
    private final Supplier<List<HostFunctionBinding>> hostFunctions;
    private final ClassLoader classLoader;

    /**
     * @param properties the bound {@code graft.*} settings
     * @param registry where the plugins are loaded
     * @param hostFunctions the host functions offered to every plugin, asked for when loading
     * @param classLoader where extension point classes and {@code classpath:} modules are found
     */
    public ConfiguredPlugins(GraftProperties properties, PluginRegistry registry,
            Supplier<List<HostFunctionBinding>> hostFunctions, ClassLoader classLoader) {
        this.properties = properties;
        this.registry = registry;
        this.hostFunctions = hostFunctions;
        this.classLoader = classLoader;
    }

    /** The property prefix of a plugin: {@code graft.plugins.<id>}. */
    public static String prefix(String id) {
        return "graft.plugins." + id;
    }

    /** A plugin ready to load, with the settings that decide what a refusal means. */
    private record Planned(String id, PluginRegistration registration, boolean required) {
    }

    @Override
    public void afterPropertiesSet() {
        List<Planned> planned = plan();
        long start = System.nanoTime();
        for (Planned plugin : planned) {
            load(plugin);
        }
        if (!planned.isEmpty()) {
            // What the application's start spends on its plugins (docs/benchmarks.md measures it from this line).
            log.info("Loaded {} configured plugin(s) in {} ms", planned.size(), (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** Checks every setting and builds every spec, before anything is loaded. */
    private List<Planned> plan() {
        PluginPlanner planner = new PluginPlanner(properties, hostFunctions.get(), classLoader);
        ExtensionPointTypes.all(properties, classLoader);   // graft.extension-points too, even without plugins
        List<Planned> planned = new ArrayList<>();
        for (Map.Entry<String, GraftProperties.Plugin> configured : properties.getPlugins().entrySet()) {
            String id = configured.getKey();
            GraftProperties.Plugin plugin = configured.getValue();
            planned.add(new Planned(id, planner.plan(id, prefix(id), plugin), plugin.isRequired()));
        }
        return planned;
    }

    private void load(Planned plugin) {
        if (plugin.required()) {
            registry.setRequired(plugin.id(), java.util.Set.copyOf(plugin.registration().spec().extensionPoints()));
        }
        try {
            registry.load(plugin.registration());
        } catch (PluginLoadException e) {
            if (plugin.required()) {
                throw new IllegalStateException("Required plugin '" + plugin.id() + "' (" + prefix(plugin.id())
                        + ") could not be loaded: " + e.getMessage(), e);
            }
            log.warn("Plugin '{}' ({}) could not be loaded and is not required; it is registered as FAILED: {}",
                    plugin.id(), prefix(plugin.id()), e.getMessage());
        }
    }
}
