package dev.graft.boot.plugins;

import dev.graft.api.ExtensionPoint;
import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.trust.PemKeys;
import dev.graft.host.trust.TrustPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Resolves {@code graft.trust.*}, {@code graft.extension-point-policies.<ep>.trusted-keys/require-signature}
 * and {@code graft.plugins.<id>.trusted-keys/require-signature} to the {@link TrustPolicy} of one plugin.
 *
 * <p>Layers narrow, never widen: a plugin trusts the keys that every extension point it claims trusts
 * (an extension point without {@code trusted-keys} trusts every key under {@code graft.trust.keys}),
 * further narrowed by the plugin's own {@code trusted-keys}; a signature is required when
 * {@code graft.trust}, any claimed extension point or the plugin requires one. So a plugin folder's
 * sidecar file or an upload's settings can tighten an extension point's trust but never loosen it.
 *
 * <p>Keys are read once, when this is created; an unreadable key or a key name that names no key fails
 * with a message naming the property.
 */
public final class TrustPolicies {

    static final String KEYS_PREFIX = "graft.trust.keys";

    private final Map<String, PublicKey> keys;
    private final GraftProperties.Trust trust;
    private final Map<String, GraftProperties.ExtensionPointPolicy> pointPolicies;

    /**
     * Reads the keys and checks every key name in {@code graft.extension-point-policies} and
     * {@code graft.plugins}.
     *
     * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
     *     naming the property of an unreadable key, an unknown key name, or a requirement no key can meet
     */
    public TrustPolicies(GraftProperties properties, ClassLoader classLoader) {
        this.trust = properties.getTrust();
        this.pointPolicies = properties.getExtensionPointPolicies();
        Map<String, PublicKey> read = new LinkedHashMap<>();
        trust.getKeys().forEach((name, location) -> read.put(name, readKey(KEYS_PREFIX + "." + name, location, classLoader)));
        this.keys = java.util.Collections.unmodifiableMap(read);   // in configured order: the order keys are tried
        if (trust.isRequireSignature() && keys.isEmpty()) {
            throw PolicyResolver.invalid("graft.trust.require-signature", true, "no key is trusted: name at least one"
                    + " under " + KEYS_PREFIX + ".<name>");
        }
        pointPolicies.forEach((point, policy) -> {
            String prefix = FailurePolicies.POLICIES_PREFIX + "." + point;
            checkNames(prefix + ".trusted-keys", policy.getTrustedKeys());
            if (policy.isRequireSignature() && effectiveKeys(policy.getTrustedKeys()).isEmpty()) {
                throw PolicyResolver.invalid(prefix + ".require-signature", true, "no key is trusted: name keys under "
                        + KEYS_PREFIX + ".<name> (and in " + prefix + ".trusted-keys, if set)");
            }
        });
        properties.getPlugins().forEach((id, plugin) ->
                checkNames(ConfiguredPlugins.prefix(id) + ".trusted-keys", plugin.getTrustedKeys()));
    }

    /** The names of the keys under {@code graft.trust.keys}. */
    public Set<String> keyNames() {
        return keys.keySet();
    }

    /**
     * The trust policy of one plugin.
     *
     * @param prefix the plugin's property prefix, for messages
     * @param plugin its settings
     * @param claimed the extension points it claims
     * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
     *     when the plugin names an unknown key, or the layers leave no key while a signature is required
     */
    public TrustPolicy resolve(String prefix, GraftProperties.Plugin plugin, List<Class<?>> claimed) {
        checkNames(prefix + ".trusted-keys", plugin.getTrustedKeys());
        Set<String> names = new LinkedHashSet<>(keys.keySet());
        boolean require = trust.isRequireSignature() || plugin.isRequireSignature();
        List<String> narrowedBy = new ArrayList<>();
        for (Class<?> type : claimed) {
            GraftProperties.ExtensionPointPolicy policy = policyOf(type);
            if (policy == null) {
                continue;
            }
            require |= policy.isRequireSignature();
            if (policy.getTrustedKeys() != null) {
                names.retainAll(trimmed(policy.getTrustedKeys()));
                narrowedBy.add(FailurePolicies.POLICIES_PREFIX + "." + type.getAnnotation(ExtensionPoint.class).id()
                        + ".trusted-keys");
            }
        }
        if (plugin.getTrustedKeys() != null) {
            List<String> own = trimmed(plugin.getTrustedKeys());
            for (String name : own) {
                if (!names.contains(name)) {
                    throw PolicyResolver.invalid(prefix + ".trusted-keys", plugin.getTrustedKeys(), "key '" + name
                            + "' is not trusted by " + String.join(" and ", narrowedBy)
                            + "; a plugin can narrow its extension points' keys, not add to them");
                }
            }
            names.retainAll(own);
        }
        if (names.isEmpty()) {
            if (require) {
                throw PolicyResolver.invalid(prefix + ".require-signature", true, "a signature is required but no key"
                        + " is left to verify it" + (narrowedBy.isEmpty() ? "" : " (narrowed by " + String.join(", ", narrowedBy) + ")"));
            }
            return TrustPolicy.none();   // no key left and none required: signatures are not checked
        }
        TrustPolicy.Builder builder = TrustPolicy.builder().requireSignature(require);
        names.forEach(name -> builder.trustKey(name, keys.get(name)));
        return builder.build();
    }

    private GraftProperties.ExtensionPointPolicy policyOf(Class<?> type) {
        ExtensionPoint point = type.getAnnotation(ExtensionPoint.class);
        GraftProperties.ExtensionPointPolicy byId = point == null ? null : pointPolicies.get(point.id());
        return byId != null ? byId : pointPolicies.get(type.getName());
    }

    private Set<String> effectiveKeys(List<String> named) {
        return named == null ? keys.keySet() : new LinkedHashSet<>(trimmed(named));
    }

    private void checkNames(String property, List<String> names) {
        if (names == null) {
            return;
        }
        for (String name : trimmed(names)) {
            if (!keys.containsKey(name)) {
                throw PolicyResolver.invalid(property, names, "unknown key '" + name + "'; the keys are those named under "
                        + KEYS_PREFIX + ".<name>" + (keys.isEmpty() ? " (none is)" : ": " + String.join(", ", keys.keySet())));
            }
        }
    }

    private static List<String> trimmed(List<String> names) {
        return names.stream().map(String::trim).filter(n -> !n.isEmpty()).toList();
    }

    private static PublicKey readKey(String property, String location, ClassLoader classLoader) {
        if (location == null || location.isBlank()) {
            throw PolicyResolver.invalid(property, location, "a location is required: classpath:... or file:... of a PEM public key");
        }
        String trimmed = location.trim();
        String pem;
        try {
            pem = read(trimmed, classLoader);
        } catch (IOException e) {
            throw PolicyResolver.invalid(property, location, "cannot read the key: " + e.getMessage());
        }
        try {
            return PemKeys.readPublicKey(pem, trimmed);
        } catch (IllegalArgumentException e) {
            throw PolicyResolver.invalid(property, location, e.getMessage());
        }
    }

    private static String read(String location, ClassLoader classLoader) throws IOException {
        String lower = location.toLowerCase(Locale.ROOT);
        if (lower.startsWith("classpath:")) {
            String resource = location.substring("classpath:".length()).replaceFirst("^/", "");
            try (InputStream in = classLoader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("no classpath resource '" + resource + "'");
                }
                return new String(in.readNBytes(64 * 1024), StandardCharsets.US_ASCII);
            }
        }
        String path = lower.startsWith("file:") ? location.substring("file:".length()) : location;
        Path file = path.startsWith("//") ? Path.of(java.net.URI.create(location)) : Path.of(path);
        return Files.readString(file, StandardCharsets.US_ASCII);
    }
}
