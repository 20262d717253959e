package dev.graft.samples.erp.plugins;

import dev.graft.api.PluginLoadException;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.boot.hostfunction.HostFunctionBeans;
import dev.graft.boot.plugins.ConfiguredPlugins;
import dev.graft.boot.plugins.PluginPlanner;
import dev.graft.host.registry.PluginRegistration;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.samples.erp.web.ApiProblems;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Replaces a configured plugin with an uploaded module: the new version gets the plugin's configured
 * policy, config, extension points and host functions, is pinned to the uploaded bytes' sha256, and
 * swaps in atomically (the registry's reload). Refused with a problem detail when the bytes do not match
 * the pin (the one given with the upload, else the configured one) or do not load; then the old version
 * keeps serving.
 */
@Service
public class PluginUploads {

    /** What an accepted upload did. */
    public record Uploaded(String pluginId, String sha256, String storedAt) {
    }

    private final PluginRegistry registry;
    private final GraftProperties properties;
    private final ObjectProvider<HostFunctionBeans> hostFunctions;
    private final Path uploads;

    public PluginUploads(PluginRegistry registry, GraftProperties properties, ObjectProvider<HostFunctionBeans> hostFunctions,
            @Value("${erp.data-dir:./data}") Path dataDir) {
        this.registry = registry;
        this.properties = properties;
        this.hostFunctions = hostFunctions;
        this.uploads = dataDir.resolve("uploads");
    }

    public synchronized Uploaded upload(String id, byte[] module, String expectedSha256) {
        GraftProperties.Plugin configured = properties.getPlugins().get(id);
        if (configured == null || registry.descriptor(id).isEmpty()) {
            throw ApiProblems.notFound("Unknown plugin", "No plugin '" + id + "' is configured under graft.plugins.");
        }
        if (module == null || module.length == 0) {
            throw ApiProblems.badRequest("Empty upload", "The request body must be the .wasm module.", Map.of("plugin", id));
        }
        String digest = sha256(module);
        String pin = expectedSha256 != null && !expectedSha256.isBlank() ? expectedSha256.trim().toLowerCase(Locale.ROOT)
                : configured.getSha256() == null ? null : configured.getSha256().toLowerCase(Locale.ROOT);
        if (pin != null && !pin.equals(digest)) {
            String source = expectedSha256 != null && !expectedSha256.isBlank() ? "the sha256 given with the upload"
                    : "the pin in graft.plugins." + id + ".sha256 (give the new digest with ?sha256=… to accept other bytes)";
            throw ApiProblems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Upload refused: sha256 mismatch",
                    "The uploaded module has sha256 " + digest + ", which does not match " + source + ": " + pin
                            + ". The current version keeps serving.",
                    Map.of("plugin", id, "sha256", digest, "expectedSha256", pin, "pluginErrorType", "PluginLoadException"));
        }
        Path file;
        try {
            Files.createDirectories(uploads);
            file = uploads.resolve(id + "-" + digest + ".wasm");
            Path temp = Files.createTempFile(uploads, id, ".part");
            Files.write(temp, module);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PluginRegistration registration = plan(id, configured, "file:" + file.toAbsolutePath(), digest);
        try {
            registry.reload(id, registration.spec());
        } catch (PluginLoadException e) {
            throw ApiProblems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Upload refused: the module does not load",
                    e.getMessage() + ". The current version keeps serving.",
                    Map.of("plugin", id, "sha256", digest, "pluginErrorType", e.getClass().getSimpleName()));
        }
        return new Uploaded(id, digest, file.toString());
    }

    /**
     * The registration the starter would build from the plugin's settings, with another location and pin.
     * {@link GraftProperties.Plugin}'s policy cannot be copied, so the settings are swapped for the
     * planning and restored (under this service's lock; nothing else reads them after startup but
     * reports, which read only {@code required}).
     */
    private PluginRegistration plan(String id, GraftProperties.Plugin configured, String location, String sha256) {
        String oldLocation = configured.getLocation();
        String oldSha256 = configured.getSha256();
        try {
            configured.setLocation(location);
            configured.setSha256(sha256);
            HostFunctionBeans beans = hostFunctions.getIfAvailable();
            return new PluginPlanner(properties, beans == null ? java.util.List.of() : beans.bindings(),
                    getClass().getClassLoader()).plan(id, ConfiguredPlugins.prefix(id), configured);
        } finally {
            configured.setLocation(oldLocation);
            configured.setSha256(oldSha256);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
