package dev.graft.host.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Pulls Wasm modules from, and pushes them to, an OCI registry through its HTTP API (distribution
 * v2). A module is an OCI artifact: an image manifest with the empty config and a single layer of
 * media type {@code application/wasm}. Every manifest and blob is verified against its sha256 digest
 * and kept in a cache folder by digest, so a host starts offline from the cache when the registry is
 * unreachable (tags remember the digest they last resolved to).
 */
public final class OciRegistry {

    /** Media type of the module layer. */
    public static final String WASM_LAYER = "application/wasm";
    static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";
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
     * The module bytes of a reference: from the cache when the reference is a digest already cached,
     * else from the registry (verified, then cached); when the registry cannot be reached, a tag falls
     * back to the digest it last resolved to.
     *
     * @throws IOException naming the reference and what failed (unreachable and not cached, digest
     *     mismatch, no wasm layer)
     */
    public byte[] pull(OciReference ref) throws IOException {
        if (ref.digest() != null) {
            Optional<byte[]> cached = cachedModule(ref.digest());
            if (cached.isPresent()) {
                return cached.get();
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
                return cached.get();
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
        return module;
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
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(URI.create(ref.apiBase() + "/manifests/" + ref.tag()))
                .header("Content-Type", MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        if (response.statusCode() != 201) {
            throw new IOException("registry refused the manifest of " + ref + ": HTTP " + response.statusCode() + " "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        return "sha256:" + PluginSource.sha256Hex(body);
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
