package dev.graft.boot.plugins;

import dev.graft.host.source.PluginSource;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Maps a {@code graft.plugins.<id>.location} to a {@link PluginSource}, which streams the bytes under
 * the policy's size cap and checks the sha256 pin. Accepted: {@code classpath:}, {@code file:} (or a
 * bare path), {@code http:}, {@code https:} and {@code oci://} (pulled, verified and cached by digest).
 */
public final class PluginLocations {

    static final String ALLOWED = "classpath:..., file:... (or a bare file path), https://..., http://... or "
            + "oci://host[:port]/repository[:tag|@sha256:...]";

    private PluginLocations() {
    }

    /**
     * The source of one configured plugin.
     *
     * @param id the plugin id
     * @param prefix the plugin's property prefix, e.g. {@code graft.plugins.rules}
     * @param location the configured location
     * @param sha256 the configured pin, or {@code null}
     * @param classLoader where {@code classpath:} resources are looked up
     */
    public static PluginSource resolve(String id, String prefix, String location, String sha256,
            ClassLoader classLoader) {
        return resolve(id, prefix, location, sha256, classLoader, OciCacheDirectory.of(null));
    }

    /**
     * The source of one configured plugin.
     *
     * @param ociCache where modules pulled from OCI registries are cached by digest
     */
    public static PluginSource resolve(String id, String prefix, String location, String sha256,
            ClassLoader classLoader, Path ociCache) {
        String property = prefix + ".location";
        if (location == null || location.isBlank()) {
            throw PolicyResolver.invalid(property, location, "a location is required: " + ALLOWED);
        }
        String trimmed = location.trim();
        PluginSource source;
        try {
            source = open(id, trimmed, classLoader, ociCache);
        } catch (IllegalArgumentException e) {
            throw PolicyResolver.invalid(property, location, e.getMessage() + "; allowed: " + ALLOWED);
        }
        if (source == null) {
            throw PolicyResolver.invalid(property, location, "unsupported location; allowed: " + ALLOWED);
        }
        if (sha256 != null && !sha256.isBlank()) {
            try {
                source = source.pinned(sha256);
            } catch (IllegalArgumentException e) {
                throw PolicyResolver.invalid(prefix + ".sha256", sha256, "must be 64 hex digits (optionally prefixed 'sha256:')");
            }
        }
        return source;
    }

    private static PluginSource open(String id, String location, ClassLoader classLoader, Path ociCache) {
        String lower = location.toLowerCase(Locale.ROOT);
        if (lower.startsWith("oci:") || lower.startsWith("oci+http:")) {
            return PluginSource.ofOci(id, location, ociCache);
        }
        if (lower.startsWith("classpath:")) {
            String resource = location.substring("classpath:".length());
            if (resource.isBlank()) {
                throw new IllegalArgumentException("classpath location names no resource");
            }
            return PluginSource.ofClasspath(id, resource, classLoader);
        }
        if (lower.startsWith("file:")) {
            String path = location.substring("file:".length());
            // "file:///opt/x.wasm" is a URI; "file:plugins/x.wasm" and "file:/opt/x.wasm" are plain paths.
            return PluginSource.ofFile(id, path.startsWith("//") ? Path.of(URI.create(location)) : Path.of(path));
        }
        if (lower.startsWith("http:") || lower.startsWith("https:")) {
            return PluginSource.ofUrl(id, URI.create(location));
        }
        if (!hasScheme(location)) {
            return PluginSource.ofFile(id, Path.of(location));
        }
        return null;
    }

    /** A scheme of two or more letters; a Windows drive ("C:") is a path. */
    private static boolean hasScheme(String location) {
        int colon = location.indexOf(':');
        return colon > 1 && location.substring(0, colon).chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '+'
                || c == '-' || c == '.');
    }
}
