package dev.graft.host.registry;

import dev.graft.host.engine.PluginSpec;
import java.util.Objects;

/**
 * A plugin to add to a {@link PluginRegistry}: what to load, where it sorts among the plugins of the
 * same extension point, and whether it serves as soon as it is loaded.
 *
 * @param spec what to load
 * @param order position in extension views; lower comes first, ties are broken by plugin id
 * @param enabled whether the plugin serves calls once loaded
 */
public record PluginRegistration(PluginSpec spec, int order, boolean enabled) {

    public PluginRegistration {
        Objects.requireNonNull(spec, "spec");
    }

    /** An enabled plugin at order 0. */
    public static PluginRegistration of(PluginSpec spec) {
        return new PluginRegistration(spec, 0, true);
    }

    /** The plugin's id, from its source. */
    public String id() {
        return spec.source().pluginId();
    }
}
