package dev.graft.host.source;

import dev.graft.api.PluginLoadException;
import dev.graft.host.trust.ModuleSignature;
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
import java.util.Optional;

/**
 * Where a plugin's bytes come from: memory, a file, the classpath, an http(s) URL or an OCI registry, optionally pinned
 * to a sha256 digest. Reading enforces a size cap while streaming, so an oversized source is refused
 * without being held in memory whole. A source also finds the module's signature, when asked: a
 * detached {@code .sig} file beside a file, classpath resource or URL, cosign's signature tag for OCI,
 * or one attached with {@link #withSignature(byte[])}.
 */
public final class PluginSource {

    /** Suffix of a detached signature file beside a module: {@code rules.wasm} is signed by {@code rules.wasm.sig}. */
    public static final String SIGNATURE_SUFFIX = ".sig";
    static final int MAX_SIGNATURE_BYTES = 64 * 1024;

    private interface Opener {
        InputStream open() throws IOException;
    }

    /** Finds the signature stored beside the module: {@code null} when there is none. */
    private interface SignatureFinder {
        ModuleSignature find() throws IOException;
    }

    /** Reads module bytes (capped) and, when asked, the signature found with them. */
    private interface Reader {
        Contents read(String pluginId, String location, long maxBytes, boolean withSignature) throws IOException;
    }

    /**
     * Module bytes as read from a source, with the signature found beside them.
     *
     * @param bytes the module bytes (pin already checked)
     * @param signature the signature, empty when none was found or none was looked for
     */
    public record Contents(byte[] bytes, Optional<ModuleSignature> signature) {
        public Contents {
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(signature, "signature");
        }
    }

    private final String pluginId;
    private final String location;
    private final Reader reader;
    private final String sha256Pin;
    private final ModuleSignature explicitSignature;
    private final String signatureLocation;

    private PluginSource(String pluginId, String location, Reader reader, String sha256Pin,
            ModuleSignature explicitSignature, String signatureLocation) {
        this.pluginId = requireId(pluginId);
        this.signatureLocation = signatureLocation;
        this.location = location;
        this.reader = reader;
        this.sha256Pin = sha256Pin;
        this.explicitSignature = explicitSignature;
    }

    private PluginSource(String pluginId, String location, Opener opener, SignatureFinder signatures,
            String signatureLocation) {
        this(pluginId, location, streamed(opener, signatures), null, null, signatureLocation);
    }

    private static String requireId(String id) {
        Objects.requireNonNull(id, "pluginId");
        if (id.isBlank()) {
            throw new IllegalArgumentException("plugin id must not be blank");
        }
        return id;
    }

    /**
     * Bytes already in memory (copied). They carry no signature unless one is attached with
     * {@link #withSignature(byte[])}.
     */
    public static PluginSource ofBytes(String pluginId, byte[] wasm) {
        byte[] copy = wasm.clone();
        return new PluginSource(pluginId, "bytes", () -> new java.io.ByteArrayInputStream(copy), () -> null,
                "none was attached to the bytes");
    }

    /**
     * A file on the host; the plugin id defaults to the file name without {@code .wasm}. Its detached
     * signature, when any, is the file {@code <file>.sig} beside it.
     */
    public static PluginSource ofFile(Path file) {
        String name = file.getFileName().toString();
        return ofFile(name.endsWith(".wasm") ? name.substring(0, name.length() - 5) : name, file);
    }

    /** A file on the host; its detached signature, when any, is {@code <file>.sig}. */
    public static PluginSource ofFile(String pluginId, Path file) {
        Path signature = file.resolveSibling(file.getFileName() + SIGNATURE_SUFFIX);
        return new PluginSource(pluginId, file.toString(), () -> Files.newInputStream(file), () ->
                Files.exists(signature) ? ModuleSignature.detached(readCapped(Files.newInputStream(signature),
                        signature.toString()), signature.toString()) : null, signature.toString());
    }

    /**
     * A resource on the given class loader's classpath; its detached signature, when any, is the
     * resource {@code <resource>.sig}.
     */
    public static PluginSource ofClasspath(String pluginId, String resource, ClassLoader loader) {
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        return new PluginSource(pluginId, "classpath:" + path, () -> {
            InputStream in = loader.getResourceAsStream(path);
            if (in == null) {
                throw new IOException("no classpath resource '" + path + "'");
            }
            return in;
        }, () -> {
            InputStream in = loader.getResourceAsStream(path + SIGNATURE_SUFFIX);
            return in == null ? null : ModuleSignature.detached(readCapped(in, path + SIGNATURE_SUFFIX),
                    "classpath:" + path + SIGNATURE_SUFFIX);
        }, "classpath:" + path + SIGNATURE_SUFFIX);
    }

    /**
     * An http or https URL, fetched with a 30 s timeout. Pin it with {@link #pinned(String)}. Its
     * detached signature, when any, is at the URL with {@code .sig} appended to its path, query kept
     * (a 404 there means unsigned).
     */
    public static PluginSource ofUrl(String pluginId, URI url) {
        String scheme = String.valueOf(url.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("plugin URL must be http or https: " + url);
        }
        URI signatureUrl = signatureUrl(url);
        return new PluginSource(pluginId, url.toString(), () -> httpGet(url, false), () -> {
            InputStream in = httpGet(signatureUrl, true);
            return in == null ? null : ModuleSignature.detached(readCapped(in, signatureUrl.toString()),
                    signatureUrl.toString());
        }, signatureUrl.toString());
    }

    /** The URL with {@code .sig} appended to its path; a query (a download token) is kept. */
    static URI signatureUrl(URI url) {
        String text = url.toString();
        int end = text.length();
        for (char c : new char[] {'?', '#'}) {
            int at = text.indexOf(c);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return URI.create(text.substring(0, end) + SIGNATURE_SUFFIX + text.substring(end));
    }

    /** The body of a GET, or {@code null} for a 404/410 when {@code absentIsNull}. */
    private static InputStream httpGet(URI url, boolean absentIsNull) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).GET().build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                if (absentIsNull && (response.statusCode() == 404 || response.statusCode() == 410)) {
                    return null;
                }
                throw new IOException("HTTP " + response.statusCode() + " from " + url);
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + url, e);
        }
    }

    /**
     * A module in an OCI registry ({@code oci://host[:port]/repository[:tag|@sha256:<hex>]}), verified
     * by digest and cached in {@code cacheDirectory}, from which it also starts when the registry is
     * unreachable. Pin the module bytes with {@link #pinned(String)} as for any source. Its signature,
     * when any, is cosign's: the tag {@code sha256-<manifest hex>.sig} in the same repository, pulled
     * with the module (and cached with it).
     */
    public static PluginSource ofOci(String pluginId, String reference, Path cacheDirectory) {
        OciReference ref = OciReference.parse(reference);
        OciRegistry registry = new OciRegistry(cacheDirectory);
        return new PluginSource(pluginId, ref.toString(), (id, where, maxBytes, withSignature) -> {
            OciRegistry.Pulled pulled = registry.pull(ref, withSignature);
            if (pulled.module().length > maxBytes) {
                throw new PluginLoadException(id, "module from " + where + " is larger than the max-module-bytes limit of "
                        + maxBytes + " bytes");
            }
            return new Contents(pulled.module(), Optional.ofNullable(pulled.signature()));
        }, null, null, "the tag sha256-<manifest digest>.sig of oci://" + ref.registry() + "/" + ref.repository());
    }

    /**
     * The same source with this detached signature (over the module bytes), used instead of any
     * signature found beside the module: for bytes that arrive with their signature, such as an upload.
     *
     * @param base64OrDer the signature file's content: base64 text as {@code graft sign} and
     *     {@code cosign sign-blob} write it, or raw DER
     */
    public PluginSource withSignature(byte[] base64OrDer) {
        return withSignature(ModuleSignature.detached(base64OrDer, "the signature supplied with " + location));
    }

    /** The same source with this signature, used instead of any signature found beside the module. */
    public PluginSource withSignature(ModuleSignature signature) {
        return new PluginSource(pluginId, location, reader, sha256Pin, Objects.requireNonNull(signature, "signature"),
                signature.origin());
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
        return new PluginSource(pluginId, location, reader, pin, explicitSignature, signatureLocation);
    }

    public String pluginId() {
        return pluginId;
    }

    /** A human-readable location, for messages. */
    public String location() {
        return location;
    }

    /** Where this source looks for the module's signature, for messages (a path, a URL, an OCI tag). */
    public String signatureLocation() {
        return signatureLocation;
    }

    /** The pinned digest, or {@code null}. */
    public String sha256Pin() {
        return sha256Pin;
    }

    /**
     * Reads the bytes, refusing with {@link PluginLoadException} when they cannot be read, exceed
     * {@code maxBytes} or do not match the pin. Does not look for a signature.
     */
    public byte[] read(long maxBytes) {
        return read(maxBytes, false).bytes();
    }

    /**
     * Reads the bytes as {@link #read(long)} does and, when {@code withSignature}, the signature stored
     * with them (see each factory for where); a signature that exists but cannot be read refuses the
     * module.
     */
    public Contents read(long maxBytes, boolean withSignature) {
        Contents contents;
        try {
            contents = reader.read(pluginId, location, maxBytes, withSignature && explicitSignature == null);
        } catch (IOException e) {
            throw new PluginLoadException(pluginId, "cannot read module from " + location + ": " + e.getMessage(), e);
        }
        if (explicitSignature != null && withSignature) {
            contents = new Contents(contents.bytes(), Optional.of(explicitSignature));
        }
        byte[] bytes = contents.bytes();
        if (sha256Pin != null) {
            String actual = sha256Hex(bytes);
            if (!actual.equals(sha256Pin)) {
                throw new PluginLoadException(pluginId, "sha256 mismatch for " + location + ": pinned " + sha256Pin
                        + " but the bytes have " + actual);
            }
        }
        return contents;
    }

    private static Reader streamed(Opener opener, SignatureFinder signatures) {
        return (pluginId, location, maxBytes, withSignature) -> {
            byte[] bytes;
            try (InputStream in = opener.open()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buffer = new byte[8192];
                long total = 0;
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    total += n;
                    if (total > maxBytes) {
                        throw new PluginLoadException(pluginId, "module from " + location
                                + " is larger than the max-module-bytes limit of " + maxBytes + " bytes");
                    }
                    out.write(buffer, 0, n);
                }
                bytes = out.toByteArray();
            }
            ModuleSignature signature = null;
            if (withSignature) {
                try {
                    signature = signatures.find();
                } catch (IOException e) {
                    throw new IOException("cannot read its signature: " + e.getMessage(), e);
                }
            }
            return new Contents(bytes, Optional.ofNullable(signature));
        };
    }

    /** A signature file's bytes; signatures are small, so anything over 64 KiB is refused unread. */
    private static byte[] readCapped(InputStream stream, String what) throws IOException {
        try (InputStream in = stream) {
            byte[] bytes = in.readNBytes(MAX_SIGNATURE_BYTES + 1);
            if (bytes.length > MAX_SIGNATURE_BYTES) {
                throw new IOException(what + " is larger than " + MAX_SIGNATURE_BYTES + " bytes, not a signature");
            }
            return bytes;
        }
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
