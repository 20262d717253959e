package dev.graft.host.source;

import dev.graft.api.PluginLoadException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a plugin's bytes come from: memory, a file, the classpath, an http(s) URL or an OCI registry, optionally pinned
 * to a sha256 digest. Reading enforces a size cap while streaming, so an oversized source is refused
 * without being held in memory whole.
 */
public final class PluginSource {

    private interface Opener {
        InputStream open() throws IOException;
    }

    private final String pluginId;
    private final String location;
    private final Opener opener;
    private final String sha256Pin;

    private PluginSource(String pluginId, String location, Opener opener, String sha256Pin) {
        this.pluginId = requireId(pluginId);
        this.location = location;
        this.opener = opener;
        this.sha256Pin = sha256Pin;
    }

    private static String requireId(String id) {
        Objects.requireNonNull(id, "pluginId");
        if (id.isBlank()) {
            throw new IllegalArgumentException("plugin id must not be blank");
        }
        return id;
    }

    /** Bytes already in memory (copied). */
    public static PluginSource ofBytes(String pluginId, byte[] wasm) {
        byte[] copy = wasm.clone();
        return new PluginSource(pluginId, "bytes", () -> new java.io.ByteArrayInputStream(copy), null);
    }

    /** A file on the host; the plugin id defaults to the file name without {@code .wasm}. */
    public static PluginSource ofFile(Path file) {
        String name = file.getFileName().toString();
        return ofFile(name.endsWith(".wasm") ? name.substring(0, name.length() - 5) : name, file);
    }

    public static PluginSource ofFile(String pluginId, Path file) {
        return new PluginSource(pluginId, file.toString(), () -> Files.newInputStream(file), null);
    }

    /** A resource on the given class loader's classpath. */
    public static PluginSource ofClasspath(String pluginId, String resource, ClassLoader loader) {
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        return new PluginSource(pluginId, "classpath:" + path, () -> {
            InputStream in = loader.getResourceAsStream(path);
            if (in == null) {
                throw new IOException("no classpath resource '" + path + "'");
            }
            return in;
        }, null);
    }

    /** An http or https URL, fetched with a 30 s timeout. Pin it with {@link #pinned(String)}. */
    public static PluginSource ofUrl(String pluginId, URI url) {
        String scheme = String.valueOf(url.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("plugin URL must be http or https: " + url);
        }
        return new PluginSource(pluginId, url.toString(), () -> {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).GET().build();
            try {
                HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    response.body().close();
                    throw new IOException("HTTP " + response.statusCode() + " from " + url);
                }
                return response.body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching " + url, e);
            }
        }, null);
    }

    /**
     * A module in an OCI registry ({@code oci://host[:port]/repository[:tag|@sha256:<hex>]}), verified
     * by digest and cached in {@code cacheDirectory}, from which it also starts when the registry is
     * unreachable. Pin the module bytes with {@link #pinned(String)} as for any source.
     */
    public static PluginSource ofOci(String pluginId, String reference, Path cacheDirectory) {
        OciReference ref = OciReference.parse(reference);
        OciRegistry registry = new OciRegistry(cacheDirectory);
        return new PluginSource(pluginId, ref.toString(), () -> new java.io.ByteArrayInputStream(registry.pull(ref)), null);
    }

    /** The same source, refused at load unless its bytes have this sha256 (hex, case-insensitive). */
    public PluginSource pinned(String sha256Hex) {
        String pin = Objects.requireNonNull(sha256Hex, "sha256Hex").trim().toLowerCase(Locale.ROOT);
        if (pin.startsWith("sha256:")) {
            pin = pin.substring(7);
        }
        if (!pin.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 pin must be 64 hex digits, was '" + sha256Hex + "'");
        }
        return new PluginSource(pluginId, location, opener, pin);
    }

    public String pluginId() {
        return pluginId;
    }

    /** A human-readable location, for messages. */
    public String location() {
        return location;
    }

    /** The pinned digest, or {@code null}. */
    public String sha256Pin() {
        return sha256Pin;
    }

    /**
     * Reads the bytes, refusing with {@link PluginLoadException} when they cannot be read, exceed
     * {@code maxBytes} or do not match the pin.
     */
    public byte[] read(long maxBytes) {
        byte[] bytes;
        try (InputStream in = opener.open()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > maxBytes) {
                    throw new PluginLoadException(pluginId, "module from " + location + " is larger than the max-module-bytes limit of "
                            + maxBytes + " bytes");
                }
                out.write(buffer, 0, n);
            }
            bytes = out.toByteArray();
        } catch (IOException e) {
            throw new PluginLoadException(pluginId, "cannot read module from " + location + ": " + e.getMessage(), e);
        }
        if (sha256Pin != null) {
            String actual = sha256Hex(bytes);
            if (!actual.equals(sha256Pin)) {
                throw new PluginLoadException(pluginId, "sha256 mismatch for " + location + ": pinned " + sha256Pin
                        + " but the bytes have " + actual);
            }
        }
        return bytes;
    }

    /** Lower-case hex sha256 of the bytes. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public String toString() {
        return "PluginSource{" + pluginId + " from " + location + (sha256Pin != null ? " pinned " + sha256Pin : "") + "}";
    }
}
