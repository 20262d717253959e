package dev.graft.host.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.graft.host.trust.ModuleSignature;
import dev.graft.host.trust.Signer;
import dev.graft.host.trust.SimpleSigningPayload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Pulls Wasm modules from, and pushes them to, an OCI registry through its HTTP API (distribution
 * v2). A module is an OCI artifact: an image manifest with the empty config and a single layer of
 * media type {@code application/wasm}. Every manifest and blob is verified against its sha256 digest
 * and kept in a cache folder by digest, so a host starts offline from the cache when the registry is
 * unreachable (tags remember the digest they last resolved to). Signatures follow cosign's key-based
 * convention: {@link #pushSignature} writes one, {@link #pull(OciReference, boolean)} fetches it.
 */
public final class OciRegistry {

    /** Media type of the module layer. */
    public static final String WASM_LAYER = "application/wasm";
    static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json";
    /** Simple-signing payloads are a few hundred bytes; a larger "payload" is refused unread. */
    static final long MAX_PAYLOAD_BYTES = 64 * 1024;
    private static final Set<String> WASM_LAYER_TYPES = Set.of(WASM_LAYER, "application/vnd.wasm.content.layer.v1+wasm");
    private static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.UTF_8);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path cache;
    private final HttpClient client;

    /**
     * The default cache folder: {@code $GRAFT_OCI_CACHE}, else {@code $XDG_CACHE_HOME/graft/oci}, else
     * {@code ~/.cache/graft/oci}.
     */
    public static Path defaultCacheDirectory() {
        String explicit = System.getenv("GRAFT_OCI_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("graft").resolve("oci");
    }

    /** A registry client caching in {@code cacheDirectory} (created when needed). */
    public OciRegistry(Path cacheDirectory) {
        this.cache = cacheDirectory;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /**
     * A pulled module.
     *
     * @param module the module bytes (the manifest's wasm layer, digest verified)
     * @param manifestDigest {@code sha256:<hex>} of the image manifest
     * @param signature the cosign signature stored for that manifest, or {@code null} when none was
     *     found or none was asked for; not yet verified (see {@code TrustPolicy})
     */
    public record Pulled(byte[] module, String manifestDigest, ModuleSignature signature) {
    }

    /**
     * The module bytes of a reference: from the cache when the reference is a digest already cached,
     * else from the registry (verified, then cached); when the registry cannot be reached, a tag falls
     * back to the digest it last resolved to.
     *
     * @throws IOException naming the reference and what failed (unreachable and not cached, digest
     *     mismatch, no wasm layer)
     */
    public byte[] pull(OciReference ref) throws IOException {
        return pull(ref, false).module();
    }

    /**
     * As {@link #pull(OciReference)}, and with {@code withSignature} also the cosign signature of the
     * pulled manifest: the tag {@code sha256-<manifest hex>.sig} in the same repository (cached beside
     * the module, so an offline start finds it too). The signature is returned, not judged: the
     * caller's trust policy verifies it before the module is used.
     */
    public Pulled pull(OciReference ref, boolean withSignature) throws IOException {
        if (ref.digest() != null) {
            Optional<byte[]> cached = cachedModule(ref.digest());
            if (cached.isPresent()) {
                return new Pulled(cached.get(), ref.digest(), withSignature ? signature(ref, ref.digest(), true) : null);
            }
        }
        byte[] manifest;
        String manifestDigest;
        try {
            HttpResponse<byte[]> response = get(URI.create(ref.apiBase() + "/manifests/" + ref.reference()), MANIFEST);
            manifest = response.body();
            manifestDigest = "sha256:" + PluginSource.sha256Hex(manifest);
            if (ref.digest() != null && !ref.digest().equals(manifestDigest)) {
                throw new IOException("manifest of " + ref + " has digest " + manifestDigest);
            }
        } catch (ConnectException | HttpConnectTimeoutException e) {
            String remembered = ref.tag() == null ? null : rememberedDigest(ref);
            Optional<byte[]> cached = remembered == null ? Optional.empty() : cachedModule(remembered);
            if (cached.isPresent()) {
                return new Pulled(cached.get(), remembered, withSignature ? cachedSignature(ref, remembered) : null);
            }
            throw new IOException("registry " + ref.registry() + " is unreachable and " + ref + " is not cached: " + e, e);
        }
        String layerDigest = wasmLayer(ref.toString(), manifest);
        byte[] module = blob(ref, layerDigest);
        store(blobPath(manifestDigest), manifest);
        store(blobPath(layerDigest), module);
        if (ref.tag() != null) {
            store(tagPath(ref), manifestDigest.getBytes(StandardCharsets.US_ASCII));
        }
        return new Pulled(module, manifestDigest, withSignature ? signature(ref, manifestDigest, false) : null);
    }

    /** The tag under which cosign stores the signatures of a manifest: {@code sha256-<hex>.sig}. */
    public static String signatureTag(String manifestDigest) {
        if (!manifestDigest.matches("sha256:[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a sha256 digest: " + manifestDigest);
        }
        return "sha256-" + manifestDigest.substring("sha256:".length()) + ".sig";
    }

    /**
     * The cosign signature of a manifest from the registry (cached on the way), else from the cache when
     * the registry is unreachable or {@code cacheFirst} and the cache holds one; {@code null} when
     * there is none.
     */
    private ModuleSignature signature(OciReference ref, String manifestDigest, boolean cacheFirst) throws IOException {
        if (cacheFirst) {
            ModuleSignature cached = cachedSignature(ref, manifestDigest);
            if (cached != null) {
                return cached;
            }
        }
        String tag = signatureTag(manifestDigest);
        HttpResponse<byte[]> response;
        try {
            // Signature manifests written by other tools may be Docker schema 2; their layers read the same.
            response = send(HttpRequest.newBuilder(URI.create(ref.apiBase() + "/manifests/" + tag))
                    .header("Accept", MANIFEST + ", " + DOCKER_MANIFEST).GET().build());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return cachedSignature(ref, manifestDigest);
        }
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET signature " + tag + " of " + ref + ": HTTP " + response.statusCode());
        }
        byte[] signatureManifest = response.body();
        List<ModuleSignature.SignedPayload> payloads = new ArrayList<>();
        for (JsonNode layer : JSON.readTree(signatureManifest).path("layers")) {
            String signature = layer.path("annotations").path(SimpleSigningPayload.SIGNATURE_ANNOTATION).asText("");
            String digest = layer.path("digest").asText("");
            if (!SimpleSigningPayload.MEDIA_TYPE.equals(layer.path("mediaType").asText()) || signature.isEmpty()
                    || !digest.matches("sha256:[0-9a-f]{64}")) {
                continue; // not a key-based cosign signature layer (an attestation, a bundle-only layer)
            }
            if (layer.path("size").asLong(0) > MAX_PAYLOAD_BYTES) {
                throw new IOException("signature payload " + digest + " of " + ref + " is over " + MAX_PAYLOAD_BYTES + " bytes");
            }
            byte[] payload = blob(ref, digest);
            store(blobPath(digest), payload);
            payloads.add(new ModuleSignature.SignedPayload(payload, signature.getBytes(StandardCharsets.US_ASCII)));
        }
        store(signaturePath(manifestDigest), signatureManifest);
        return signatureOf(ref, manifestDigest, payloads);
    }

    private ModuleSignature cachedSignature(OciReference ref, String manifestDigest) throws IOException {
        Path path = signaturePath(manifestDigest);
        if (!Files.exists(path)) {
            return null;
        }
        List<ModuleSignature.SignedPayload> payloads = new ArrayList<>();
        for (JsonNode layer : JSON.readTree(Files.readAllBytes(path)).path("layers")) {
            String signature = layer.path("annotations").path(SimpleSigningPayload.SIGNATURE_ANNOTATION).asText("");
            String digest = layer.path("digest").asText("");
            if (signature.isEmpty() || !digest.matches("sha256:[0-9a-f]{64}") || !Files.exists(blobPath(digest))) {
                continue;
            }
            byte[] payload = Files.readAllBytes(blobPath(digest));
            if (digest.equals("sha256:" + PluginSource.sha256Hex(payload))) {
                payloads.add(new ModuleSignature.SignedPayload(payload, signature.getBytes(StandardCharsets.US_ASCII)));
            }
        }
        return signatureOf(ref, manifestDigest, payloads);
    }

    /** The signature bound to the exact manifest bytes, which the cache holds by digest. */
    private ModuleSignature signatureOf(OciReference ref, String manifestDigest, List<ModuleSignature.SignedPayload> payloads)
            throws IOException {
        byte[] manifest = Files.readAllBytes(blobPath(manifestDigest));
        return ModuleSignature.cosignImage(manifest, payloads, "oci://" + ref.registry() + "/" + ref.repository() + ":"
                + signatureTag(manifestDigest));
    }

    /**
     * Publishes a module under {@code ref}'s tag.
     *
     * @return the manifest digest ({@code sha256:<hex>}), by which the module can be pinned
     */
    public String push(byte[] module, OciReference ref) throws IOException {
        if (ref.tag() == null) {
            throw new IllegalArgumentException("push needs a tag, not a digest: " + ref);
        }
        String layerDigest = upload(ref, module);
        String configDigest = upload(ref, EMPTY_JSON);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST);
        manifest.put("artifactType", WASM_LAYER);
        manifest.set("config", descriptor(EMPTY_CONFIG, configDigest, EMPTY_JSON.length));
        ArrayNode layers = manifest.putArray("layers");
        layers.add(descriptor(WASM_LAYER, layerDigest, module.length));
        byte[] body = JSON.writeValueAsBytes(manifest);
        putManifest(ref, ref.tag(), body);
        return "sha256:" + PluginSource.sha256Hex(body);
    }

    /**
     * Signs a pushed manifest the way {@code cosign sign --key} does: a simple-signing payload naming
     * {@code manifestDigest}, signed with {@code key} (ECDSA P-256, SHA-256), stored as a layer of the
     * manifest tagged {@code sha256-<hex>.sig} in the same repository with the base64 signature in the
     * layer annotation {@code dev.cosignproject.cosign/signature}. Signatures already stored there are
     * kept (a module may carry several).
     *
     * @return the signature's reference, {@code oci://host/repository:sha256-<hex>.sig}
     */
    public String pushSignature(OciReference ref, String manifestDigest, PrivateKey key) throws IOException {
        String tag = signatureTag(manifestDigest);
        byte[] payload = new SimpleSigningPayload(ref.registry() + "/" + ref.repository(), manifestDigest).toJson();
        String signature = Signer.signBase64(payload, key);
        List<JsonNode> layers = new ArrayList<>();
        HttpResponse<byte[]> existing = send(HttpRequest.newBuilder(URI.create(ref.apiBase() + "/manifests/" + tag))
                .header("Accept", MANIFEST).GET().build());
        if (existing.statusCode() == 200) {
            for (JsonNode layer : JSON.readTree(existing.body()).path("layers")) {
                layers.add(layer);
            }
        }
        String payloadDigest = upload(ref, payload);
        ObjectNode layer = descriptor(SimpleSigningPayload.MEDIA_TYPE, payloadDigest, payload.length);
        layer.putObject("annotations").put(SimpleSigningPayload.SIGNATURE_ANNOTATION, signature);
        layers.removeIf(l -> l.path("digest").asText().equals(payloadDigest)
                && l.path("annotations").path(SimpleSigningPayload.SIGNATURE_ANNOTATION).asText().equals(signature));
        layers.add(layer);
        // An image config as cosign writes one: its rootfs lists the payload layers.
        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", "");
        config.put("created", "0001-01-01T00:00:00Z");
        config.putArray("history").addObject().put("created", "0001-01-01T00:00:00Z");
        config.put("os", "");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        layers.forEach(l -> diffIds.add(l.path("digest").asText()));
        config.putObject("config");
        byte[] configBytes = JSON.writeValueAsBytes(config);
        String configDigest = upload(ref, configBytes);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST);
        manifest.set("config", descriptor(IMAGE_CONFIG, configDigest, configBytes.length));
        ArrayNode layerArray = manifest.putArray("layers");
        layers.forEach(layerArray::add);
        putManifest(ref, tag, JSON.writeValueAsBytes(manifest));
        return "oci://" + ref.registry() + "/" + ref.repository() + ":" + tag;
    }

    private void putManifest(OciReference ref, String tag, byte[] body) throws IOException {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(URI.create(ref.apiBase() + "/manifests/" + tag))
                .header("Content-Type", MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        if (response.statusCode() != 201) {
            throw new IOException("registry refused the manifest " + tag + " of " + ref + ": HTTP " + response.statusCode()
                    + " " + new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    private static ObjectNode descriptor(String mediaType, String digest, long size) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", size);
        return d;
    }

    private String upload(OciReference ref, byte[] data) throws IOException {
        String digest = "sha256:" + PluginSource.sha256Hex(data);
        HttpResponse<byte[]> head = send(HttpRequest.newBuilder(URI.create(ref.apiBase() + "/blobs/" + digest))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        if (head.statusCode() == 200) {
            return digest;
        }
        HttpResponse<byte[]> start = send(HttpRequest.newBuilder(URI.create(ref.apiBase() + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        String location = start.headers().firstValue("Location").orElse(null);
        if (start.statusCode() != 202 || location == null) {
            throw new IOException("registry refused an upload to " + ref + ": HTTP " + start.statusCode());
        }
        URI target = URI.create(ref.apiBase() + "/").resolve(location);
        String query = (target.getRawQuery() == null ? "" : target.getRawQuery() + "&") + "digest=" + digest;
        URI put = URI.create(target.getScheme() + "://" + target.getRawAuthority() + target.getRawPath() + "?" + query);
        HttpResponse<byte[]> done = send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build());
        if (done.statusCode() != 201) {
            throw new IOException("registry refused blob " + digest + " for " + ref + ": HTTP " + done.statusCode());
        }
        return digest;
    }

    private String wasmLayer(String what, byte[] manifest) throws IOException {
        JsonNode root = JSON.readTree(manifest);
        for (JsonNode layer : root.path("layers")) {
            if (WASM_LAYER_TYPES.contains(layer.path("mediaType").asText())) {
                String digest = layer.path("digest").asText();
                if (!digest.matches("sha256:[0-9a-f]{64}")) {
                    throw new IOException("layer of " + what + " has an unsupported digest '" + digest + "'");
                }
                return digest;
            }
        }
        throw new IOException(what + " has no layer of media type " + WASM_LAYER);
    }

    private byte[] blob(OciReference ref, String digest) throws IOException {
        byte[] data = get(URI.create(ref.apiBase() + "/blobs/" + digest), "application/octet-stream").body();
        String actual = "sha256:" + PluginSource.sha256Hex(data);
        if (!actual.equals(digest)) {
            throw new IOException("blob of " + ref + " should have digest " + digest + " but has " + actual);
        }
        return data;
    }

    private HttpResponse<byte[]> get(URI uri, String accept) throws IOException {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri).header("Accept", accept).GET().build());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri + ": HTTP " + response.statusCode());
        }
        return response;
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws IOException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while talking to the registry", e);
        }
    }

    private Optional<byte[]> cachedModule(String manifestDigest) throws IOException {
        Path manifest = blobPath(manifestDigest);
        if (!Files.exists(manifest)) {
            return Optional.empty();
        }
        byte[] bytes = Files.readAllBytes(manifest);
        if (!manifestDigest.equals("sha256:" + PluginSource.sha256Hex(bytes))) {
            return Optional.empty(); // a damaged entry is ignored, not trusted
        }
        String layer = wasmLayer("cached manifest " + manifestDigest, bytes);
        Path blob = blobPath(layer);
        if (!Files.exists(blob)) {
            return Optional.empty();
        }
        byte[] module = Files.readAllBytes(blob);
        return layer.equals("sha256:" + PluginSource.sha256Hex(module)) ? Optional.of(module) : Optional.empty();
    }

    private String rememberedDigest(OciReference ref) throws IOException {
        Path tag = tagPath(ref);
        return Files.exists(tag) ? Files.readString(tag, StandardCharsets.US_ASCII).trim() : null;
    }

    private Path blobPath(String digest) {
        return cache.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
    }

    private Path signaturePath(String manifestDigest) {
        return cache.resolve("signatures").resolve(signatureTag(manifestDigest));
    }

    private Path tagPath(OciReference ref) {
        return cache.resolve("tags").resolve(ref.registry().replace(':', '_')).resolve(ref.repository()).resolve(ref.tag());
    }

    private static void store(Path target, byte[] data) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "oci", ".tmp");
            Files.write(tmp, data);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the OCI cache at " + target, e);
        }
    }
}
