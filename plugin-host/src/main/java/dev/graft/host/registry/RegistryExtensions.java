package dev.graft.host.registry;

import dev.graft.api.Extensions;
import java.util.List;
import java.util.Optional;

/** The {@link Extensions} view a {@link PluginRegistry} hands out: every access reads the current state. */
final class RegistryExtensions<T> implements Extensions<T> {

    private final PluginRegistry registry;
    private final Class<T> type;

    RegistryExtensions(PluginRegistry registry, Class<T> type) {
        this.registry = registry;
        this.type = type;
    }

    @Override
    public Class<T> type() {
        return type;
    }

    @Override
    public List<T> list() {
        return registry.view(type).extensions();
    }

    @Override
    public List<String> pluginIds() {
        return registry.view(type).ids();
    }

    @Override
    public Optional<T> byId(String pluginId) {
        return Optional.ofNullable(registry.view(type).byId(pluginId));
    }

    @Override
    public boolean isEmpty() {
        return registry.view(type).ids().isEmpty();
    }

    @Override
    public String toString() {
        return "Extensions<" + type.getName() + ">" + pluginIds();
    }
}
