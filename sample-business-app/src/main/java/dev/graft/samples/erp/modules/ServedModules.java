package dev.graft.samples.erp.modules;

import dev.graft.boot.audit.PluginLifecycleEvent;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.boot.hostfunction.HostFunctionBeans;
import dev.graft.boot.plugins.ConfiguredPlugins;
import dev.graft.boot.plugins.PluginPlanner;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.registry.LifecycleEvent;
import dev.graft.host.source.PluginSource;
import dev.graft.host.trust.ModuleSignature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Keeps every version a plugin starts serving in the {@link ModuleStore}: on each lifecycle event that puts
 * a version in service (loaded at startup, reloaded, uploaded, reverted) it reads that version's bytes (and
 * detached signature) from where it came — the configured location, or the file an upload was stored in —
 * checks they are the digest the registry loaded, and keeps them under it. So a version stays replayable
 * after it has been replaced, and after its file has changed or gone.
 *
 * <p>The registry publishes these events on the thread that made the change, right after the version
 * serves (the configured plugins' loads once the application has started); a version that cannot be read
 * back with the same digest is logged and not kept, and replaying its calls reports it missing.
 */
@Component
public class ServedModules {

    private static final Logger log = LoggerFactory.getLogger(ServedModules.class);

    private static final Set<String> SERVING = Set.of(LifecycleEvent.Action.LOADED.name(),
            LifecycleEvent.Action.RELOADED.name(), LifecycleEvent.Action.UPLOADED.name(),
            LifecycleEvent.Action.REVERTED.name());

    private final ModuleStore store;
    private final GraftProperties properties;
    private final ObjectProvider<HostFunctionBeans> hostFunctions;

    public ServedModules(ModuleStore store, GraftProperties properties, ObjectProvider<HostFunctionBeans> hostFunctions) {
        this.store = store;
        this.properties = properties;
        this.hostFunctions = hostFunctions;
    }

    @EventListener
    public void onLifecycle(PluginLifecycleEvent event) {
        if (!SERVING.contains(event.action()) || event.sha256() == null || store.contains(event.sha256())) {
            return;
        }
        try {
            PluginSource source = sourceOf(event);
            if (source == null) {
                log.warn("Plugin '{}': version sha256 {} from {} is not kept for replay: its location cannot be read again",
                        event.pluginId(), event.sha256(), event.location());
                return;
            }
            PluginSource.Contents contents = source.pinned(event.sha256()).read(Long.MAX_VALUE, true);
            byte[] signature = contents.signature().filter(ModuleSignature::isDetached)
                    .map(ModuleSignature::detachedSignature).orElse(null);
            store.keep(contents.bytes(), signature);
            log.info("Plugin '{}': version sha256 {} kept in {}{}", event.pluginId(), event.sha256(), store.folder(),
                    signature == null ? " (no detached signature)" : " with its signature");
        } catch (RuntimeException e) {
            // Never let this listener fail the event: the version serves, and the audit trail (another listener of
            // the same event) must still see it; only this version's replay is lost.
            log.warn("Plugin '{}': version sha256 {} is not kept for replay: {}", event.pluginId(), event.sha256(),
                    e.getMessage());
        }
    }

    /** Where the version came from: the plugin's configured location, or the file it was loaded from (an upload). */
    private PluginSource sourceOf(PluginLifecycleEvent event) {
        String id = event.pluginId();
        GraftProperties.Plugin configured = properties.getPlugins().get(id);
        if (configured != null) {
            PluginSpec spec = planner().plan(id, ConfiguredPlugins.prefix(id), configured).spec();
            if (spec.source().location().equals(event.location())) {
                return spec.source();
            }
        }
        if (event.location() != null && !event.location().contains(":/") && Files.isRegularFile(Path.of(event.location()))) {
            return PluginSource.ofFile(id, Path.of(event.location()));
        }
        return null;
    }

    private PluginPlanner planner() {
        HostFunctionBeans beans = hostFunctions.getIfAvailable();
        return new PluginPlanner(properties, beans == null ? List.of() : beans.bindings(), getClass().getClassLoader());
    }
}
