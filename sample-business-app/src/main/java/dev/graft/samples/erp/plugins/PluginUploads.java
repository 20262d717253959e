package dev.graft.samples.erp.plugins;

import dev.graft.api.PluginLoadException;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.boot.hostfunction.HostFunctionBeans;
import dev.graft.boot.plugins.ConfiguredPlugins;
import dev.graft.boot.plugins.PluginPlanner;
import dev.graft.boot.audit.PluginLifecycleEvents;
import dev.graft.host.engine.Plugin;
import dev.graft.host.registry.LifecycleEvent;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.source.PluginSource;
import dev.graft.host.trust.ModuleSignature;
import dev.graft.host.trust.SignatureVerifier;
import dev.graft.host.trust.TrustPolicy;
import dev.graft.samples.erp.web.ApiProblems;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.util.unit.DataSize;

/**
 * Replaces a configured plugin with an uploaded module, which must be signed by a key the plugin's trust
 * policy trusts ({@code graft.trust.keys.*}, {@code graft.extension-point-policies.<ep>.trusted-keys}): a
 * sha256 the caller gives proves integrity, not origin, so it is never enough.
 *
 * <p>Everything is checked before anything is written: the size, the signature (over exactly these
 * bytes, by a trusted key), the optional sha256 the caller expects, and a trial load (trust again, load
 * limits, policy, host functions). Only an upload that passes is stored, as {@code <id>-<sha256>.wasm}
 * with its signature beside it as {@code .wasm.sig} (the file source's convention, so the stored version
 * verifies wherever it is loaded from), and swapped in as a new version beside the configured one
 * ({@link PluginRegistry#upload}): {@code reload} and {@code revert} return to the configured location.
 * A refusal leaves the folder as it was and the serving version serving.
 */
@Service
public class PluginUploads {

    private static final Logger log = LoggerFactory.getLogger(PluginUploads.class);

    /** The header carrying the module's detached signature: base64 of the DER ECDSA signature, like a {@code .sig} file. */
    public static final String SIGNATURE_HEADER = "X-Graft-Signature";

    /** What an accepted upload did. */
    public record Uploaded(String pluginId, String sha256, String signedBy, String storedAt) {
    }

    private final PluginRegistry registry;
    private final GraftProperties properties;
    private final ObjectProvider<HostFunctionBeans> hostFunctions;
    private final Path uploads;
    private final long maxBytes;
    private final ObjectProvider<PluginLifecycleEvents> audit;

    public PluginUploads(PluginRegistry registry, GraftProperties properties, ObjectProvider<HostFunctionBeans> hostFunctions,
            @Value("${erp.data-dir:./data}") Path dataDir, @Value("${erp.uploads.max-size:8MB}") DataSize maxSize,
            ObjectProvider<PluginLifecycleEvents> audit) {
        this.registry = registry;
        this.audit = audit;
        this.properties = properties;
        this.hostFunctions = hostFunctions;
        this.uploads = dataDir.resolve("uploads");
        this.maxBytes = maxSize.toBytes();
    }

    /** The folder accepted uploads are stored in. */
    public Path folder() {
        return uploads;
    }

    /** The largest module accepted, in bytes ({@code erp.uploads.max-size}). */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Checks, stores and serves an uploaded module.
     *
     * @param signature the {@value #SIGNATURE_HEADER} value, or null
     * @param expectedSha256 an extra integrity check the caller may give, or null
     */
    public synchronized Uploaded upload(String id, byte[] module, String signature, String expectedSha256) {
        try {
            return check(id, module, signature, expectedSha256);
        } catch (org.springframework.web.ErrorResponseException refusal) {
            if (refusal.getStatusCode().value() != 404) {
                audited(id, refusal);
            }
            throw refusal;
        }
    }

    /** Refusals the registry never saw (size, signature, sha256) go to the audit trail too. */
    private void audited(String id, org.springframework.web.ErrorResponseException refusal) {
        Map<String, Object> details = refusal.getBody().getProperties();
        Object digest = details == null ? null : details.get("sha256");
        audit.ifAvailable(events -> events.publish(new LifecycleEvent(Instant.now(), id, LifecycleEvent.Action.REFUSED,
                digest == null ? null : digest.toString(), null, "upload",
                "upload refused: " + refusal.getBody().getDetail())));
    }

    /**
     * The refusal of an upload over {@code erp.uploads.max-size}, recorded in the audit trail.
     *
     * @param size its size, or -1 when it was not declared
     */
    public org.springframework.web.ErrorResponseException tooLarge(String id, long size) {
        org.springframework.web.ErrorResponseException refusal = tooLarge(id, size, maxBytes);
        if (registry.descriptor(id).isPresent()) {
            audited(id, refusal);
        }
        return refusal;
    }

    private Uploaded check(String id, byte[] module, String signature, String expectedSha256) {
        GraftProperties.Plugin configured = properties.getPlugins().get(id);
        if (configured == null || registry.descriptor(id).isEmpty()) {
            throw ApiProblems.notFound("Unknown plugin", "No plugin '" + id + "' is configured under graft.plugins.");
        }
        if (module == null || module.length == 0) {
            throw ApiProblems.badRequest("Empty upload", "The request body must be the .wasm module.", Map.of("plugin", id));
        }
        if (module.length > maxBytes) {
            throw tooLarge(id, module.length, maxBytes);
        }
        String digest = PluginSource.sha256Hex(module);
        if (expectedSha256 != null && !expectedSha256.isBlank()
                && !expectedSha256.trim().toLowerCase(Locale.ROOT).equals(digest)) {
            throw refused(id, digest, "sha256 mismatch", "The uploaded module has sha256 " + digest
                    + ", which does not match the sha256 given with the upload: " + expectedSha256.trim() + ".");
        }
        Path file = uploads.resolve(id + "-" + digest + ".wasm");
        PluginPlanner planner = planner();
        // Where it will be stored, with everything else (policy, config, host functions, trust) as configured.
        PluginSpec planned = planner.plan(ConfiguredPlugins.prefix(id), configured,
                PluginSource.ofFile(id, file).pinned(digest)).spec();
        TrustPolicy trust = planned.trust();
        if (trust.trustedKeys().isEmpty()) {
            throw refused(id, digest, "no trusted key", "Uploads must be signed by a trusted key, and no key is trusted "
                    + "for plugin '" + id + "': configure graft.trust.keys.<name> and graft.extension-point-policies."
                    + "<extension point>.trusted-keys.");
        }
        if (signature == null || signature.isBlank()) {
            throw refused(id, digest, "signature required", "The upload carries no signature. Send the module's detached "
                    + "signature (base64, as made by ./graft sign or cosign sign-blob) in the " + SIGNATURE_HEADER
                    + " header; a sha256 proves integrity, not origin, and is not enough. Keys trusted: "
                    + String.join(", ", trust.trustedKeys().keySet()) + ".");
        }
        byte[] signatureBytes = signature.trim().getBytes(StandardCharsets.US_ASCII);
        ModuleSignature detached;
        try {
            detached = ModuleSignature.detached(signatureBytes, "the " + SIGNATURE_HEADER + " header");
        } catch (IllegalArgumentException e) {
            throw refused(id, digest, "signature unreadable", "The " + SIGNATURE_HEADER + " header is not a base64 "
                    + "signature: " + e.getMessage());
        }
        SignatureVerifier.Result verified = SignatureVerifier.verify(module, detached, trust.trustedKeys());
        if (!verified.verified()) {
            throw refused(id, digest, "not signed by a trusted key", "The signature in the " + SIGNATURE_HEADER
                    + " header " + verified.reason() + " over module sha256:" + digest + "; keys tried: "
                    + String.join(", ", trust.trustedKeys().keySet()) + ".");
        }
        // A trial load from memory: the engine checks trust, load limits and imports before a byte is stored.
        Plugin trial;
        try {
            trial = registry.engine().load(planner.plan(ConfiguredPlugins.prefix(id), configured,
                    PluginSource.ofBytes(id, module).withSignature(signatureBytes).pinned(digest)).spec());
        } catch (PluginLoadException e) {
            throw refused(id, digest, "the module does not load", e.getMessage());
        }
        trial.close();

        store(file, module, signatureBytes);
        try {
            registry.upload(id, planned);
        } catch (PluginLoadException e) {
            delete(file);
            throw refused(id, digest, "the module does not load", e.getMessage());
        }
        log.info("Plugin '{}': uploaded version sha256 {} signed by '{}' serves, stored at {}", id, digest,
                verified.keyName(), file);
        return new Uploaded(id, digest, verified.keyName(), file.toString());
    }

    private void store(Path file, byte[] module, byte[] signature) {
        try {
            Files.createDirectories(uploads);
            write(file.resolveSibling(file.getFileName() + PluginSource.SIGNATURE_SUFFIX), signature);
            write(file, module);
        } catch (IOException e) {
            delete(file);
            throw new UncheckedIOException("could not store the upload at " + file, e);
        }
    }

    /** Written whole under a temporary name, then moved: a reader never sees half a module. */
    private void write(Path target, byte[] bytes) throws IOException {
        Path temp = Files.createTempFile(uploads, target.getFileName().toString(), ".part");
        try {
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + PluginSource.SIGNATURE_SUFFIX));
        } catch (IOException e) {
            log.warn("Could not delete the refused upload {}: {}", file, e.toString());
        }
    }

    static org.springframework.web.ErrorResponseException tooLarge(String id, long size, long max) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("plugin", id);
        properties.put("limitBytes", max);
        if (size >= 0) {
            properties.put("actualBytes", size);
        }
        return ApiProblems.of(HttpStatus.CONTENT_TOO_LARGE, "Upload too large", "The upload is "
                + (size >= 0 ? size + " bytes" : "larger than the limit") + "; modules up to " + max
                + " bytes are accepted (erp.uploads.max-size). Nothing was stored.", properties);
    }

    private static org.springframework.web.ErrorResponseException refused(String id, String digest, String why,
            String detail) {
        return ApiProblems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Upload refused: " + why,
                sentence(detail) + " Nothing was stored; the current version keeps serving.",
                Map.of("plugin", id, "sha256", digest, "pluginErrorType", "PluginLoadException"));
    }

    /** The engine's reason as a sentence: most end without a full stop, and the detail goes on after it. */
    private static String sentence(String text) {
        return text.endsWith(".") ? text : text + ".";
    }

    private PluginPlanner planner() {
        HostFunctionBeans beans = hostFunctions.getIfAvailable();
        return new PluginPlanner(properties, beans == null ? List.of() : beans.bindings(), getClass().getClassLoader());
    }
}
