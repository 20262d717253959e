package dev.graft.boot.plugins;

import dev.graft.api.PluginLoadException;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.registry.PluginRegistration;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.context.SmartLifecycle;

/**
 * The plugins of {@code graft.plugin-dir}: each {@code <id>.wasm} is plugin {@code <id>}, with optional
 * settings in {@code <id>.properties} beside it (the keys of {@code graft.plugins.<id>.*} without the
 * prefix, for example {@code extension-points}, {@code order}, {@code policy.max-memory}).
 *
 * <p>At startup every plugin in the folder is loaded (a folder plugin is never required: one that is
 * refused is registered as {@code FAILED}; an invalid sidecar setting fails startup like any other
 * setting). While the application runs, the folder is checked every
 * {@code graft.plugin-dir-poll-interval}: a new file is loaded, a replaced one (module or sidecar)
 * reloaded, a deleted one unloaded. A change is acted on once the file has stayed the same for one
 * interval, so a file still being copied is not read half-written; replacing a file by an atomic move
 * is best. A reload swaps versions atomically and a broken new version leaves the old one serving
 * (see {@link PluginRegistry#reload}).
 *
 * <p>A module's detached signature is {@code <id>.wasm.sig} beside it; adding or replacing it counts as a
 * change too. Folder plugins meet the same trust policy as configured ones ({@code graft.trust.*},
 * their extension points' {@code trusted-keys} and {@code require-signature}); a sidecar can only
 * narrow it. A refused new version leaves the old one serving, as any failed reload does.
 *
 * <p>Ids configured under {@code graft.plugins} win: a folder file with such an id is ignored, with a
 * warning.
 */
public class PluginDirectory implements InitializingBean, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PluginDirectory.class);
    private static final String MODULE_SUFFIX = ".wasm";
    private static final String SIDECAR_SUFFIX = ".properties";

    /** What identifies one state of a plugin's files; any change means the plugin changed. */
    /** The module, its sidecar settings and its detached signature: a change to any reloads the plugin. */
    private record Fingerprint(FileState module, FileState sidecar, FileState signature) {
    }

    private record FileState(long size, FileTime modified, Object fileKey) {
    }

    private final Path folder;
    private final Duration pollInterval;
    private final PluginRegistry registry;
    private final PluginPlanner planner;
    private final Set<String> configuredIds;

    /** The fingerprint each folder plugin was last loaded (or refused) with. */
    private final Map<String, Fingerprint> applied = new HashMap<>();
    /** What the previous scan saw, to act only on files that stayed the same for one interval. */
    private Map<String, Fingerprint> previousScan = Map.of();
    /** Folder ids shadowed by graft.plugins, warned about once. */
    private final Set<String> ignored = new HashSet<>();
    private ScheduledExecutorService poller;

    /**
     * @param folder the plugin folder
     * @param pollInterval how often to check it; zero or negative: only at startup
     * @param registry where the plugins are loaded
     * @param planner checks settings and builds registrations
     * @param configuredIds ids configured under {@code graft.plugins}, which the folder does not override
     */
    public PluginDirectory(Path folder, Duration pollInterval, PluginRegistry registry, PluginPlanner planner,
            Set<String> configuredIds) {
        this.folder = Objects.requireNonNull(folder, "folder");
        this.pollInterval = pollInterval == null ? Duration.ZERO : pollInterval;
        this.registry = registry;
        this.planner = planner;
        this.configuredIds = Set.copyOf(configuredIds);
    }

    /** The property prefix folder settings are reported under: {@code graft.plugin-dir[<id>.properties]}. */
    static String prefix(String id) {
        return "graft.plugin-dir[" + id + SIDECAR_SUFFIX + "]";
    }

    /** Loads every plugin in the folder; an invalid sidecar setting fails here. */
    @Override
    public void afterPropertiesSet() throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IllegalStateException("graft.plugin-dir: " + folder.toAbsolutePath() + " is not a folder");
        }
        Map<String, Fingerprint> found = scan();
        for (Map.Entry<String, Fingerprint> plugin : found.entrySet()) {
            load(plugin.getKey(), plugin.getValue(), true);
        }
        previousScan = found;
        log.info("Plugin folder {}: {} plugin(s){}", folder.toAbsolutePath(), found.size(),
                pollInterval.isZero() || pollInterval.isNegative() ? "" : ", checked every " + pollInterval);
    }

    @Override
    public synchronized void start() {
        if (poller != null || pollInterval.isZero() || pollInterval.isNegative()) {
            return;
        }
        poller = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "graft-plugin-dir");
            thread.setDaemon(true);
            return thread;
        });
        long millis = Math.max(1, pollInterval.toMillis());
        poller.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return poller != null;
    }

    /** One check of the folder; never throws, so the schedule keeps running. */
    void poll() {
        try {
            Map<String, Fingerprint> found = scan();
            for (Map.Entry<String, Fingerprint> plugin : found.entrySet()) {
                String id = plugin.getKey();
                Fingerprint now = plugin.getValue();
                boolean settled = now.equals(previousScan.get(id));
                if (settled && !now.equals(applied.get(id))) {
                    load(id, now, false);
                }
            }
            for (String id : Set.copyOf(applied.keySet())) {
                if (!found.containsKey(id)) {
                    applied.remove(id);
                    registry.unload(id);
                    log.info("Plugin '{}' removed from {}: unloaded", id, folder.toAbsolutePath());
                }
            }
            previousScan = found;
        } catch (RuntimeException | IOException e) {
            log.error("Checking plugin folder {} failed: {}", folder.toAbsolutePath(), e.toString(), e);
        }
    }

    private void load(String id, Fingerprint fingerprint, boolean atStartup) {
        if (configuredIds.contains(id)) {
            if (ignored.add(id)) {
                log.warn("Plugin file {}{} in {} is ignored: plugin '{}' is configured under graft.plugins", id,
                        MODULE_SUFFIX, folder.toAbsolutePath(), id);
            }
            return;
        }
        PluginRegistration registration;
        try {
            registration = planner.plan(id, prefix(id), settings(id));
        } catch (RuntimeException e) {
            if (atStartup) {
                throw e;
            }
            applied.put(id, fingerprint);
            log.error("Plugin '{}' in {} not (re)loaded: {}", id, folder.toAbsolutePath(), e.getMessage());
            return;
        }
        applied.put(id, fingerprint);
        boolean known = registry.descriptor(id).isPresent();
        try {
            if (known) {
                registry.reload(registration);   // the sidecar's order and enabled flag apply too
            } else {
                registry.load(registration);
            }
        } catch (PluginLoadException e) {
            if (!known) {   // a failed reload is logged by the registry, with whether the old version serves
                log.warn("Plugin '{}' in {} was refused and is registered as FAILED: {}", id, folder.toAbsolutePath(),
                        e.getMessage());
            }
        }
    }

    /** The plugin settings in the sidecar file, with the location set to the module file. */
    private GraftProperties.Plugin settings(String id) {
        Path sidecar = folder.resolve(id + SIDECAR_SUFFIX);
        GraftProperties.Plugin settings = new GraftProperties.Plugin();
        if (Files.isRegularFile(sidecar)) {
            Properties values = new Properties();
            try (InputStream in = Files.newInputStream(sidecar)) {
                values.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + sidecar + ": " + e.getMessage(), e);
            }
            Map<String, Object> prefixed = new LinkedHashMap<>();
            values.forEach((key, value) -> prefixed.put("plugin." + key, value));
            try {
                // Unknown keys are refused too: a misspelt limit must not pass silently.
                settings = new Binder(new MapConfigurationPropertySource(prefixed))
                        .bind("plugin", Bindable.ofInstance(settings), new NoUnboundElementsBindHandler(BindHandler.DEFAULT))
                        .orElse(settings);
            } catch (BindException e) {
                if (e.getCause() instanceof UnboundConfigurationPropertiesException unbound) {
                    String unknown = unbound.getUnboundProperties().stream()
                            .map(p -> p.getName().toString().substring("plugin.".length())).sorted()
                            .collect(Collectors.joining(", "));
                    throw new IllegalStateException("unknown setting(s) " + unknown + " in " + sidecar.toAbsolutePath()
                            + "; the keys are those of graft.plugins.<id>.* without the prefix", e);
                }
                String property = e.getName().toString().replaceFirst("^plugin\\.?", "");
                throw new IllegalStateException("invalid setting '" + property + "' in " + sidecar.toAbsolutePath()
                        + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
            }
        }
        settings.setLocation(folder.resolve(id + MODULE_SUFFIX).toAbsolutePath().toString());
        return settings;
    }

    private Map<String, Fingerprint> scan() throws IOException {
        Map<String, Fingerprint> found = new LinkedHashMap<>();
        try (DirectoryStream<Path> modules = Files.newDirectoryStream(folder, "*" + MODULE_SUFFIX)) {
            for (Path module : modules) {
                String name = module.getFileName().toString();
                String id = name.substring(0, name.length() - MODULE_SUFFIX.length());
                FileState moduleState = state(module);
                if (id.isBlank() || moduleState == null) {
                    continue;
                }
                found.put(id, new Fingerprint(moduleState, state(folder.resolve(id + SIDECAR_SUFFIX)),
                        state(folder.resolve(name + PluginSource.SIGNATURE_SUFFIX))));
            }
        }
        return found;
    }

    private static FileState state(Path file) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.isRegularFile()
                    ? new FileState(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey())
                    : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
