package dev.graft.host.trust;

import dev.graft.api.PluginLoadException;
import java.security.PublicKey;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which signing keys a plugin's module must be signed by, and whether a signature is required at all.
 * Immutable. {@link #none()} accepts unsigned modules and checks nothing (Graft's behaviour without a
 * trust policy). With trusted keys, a module that carries a signature is loaded only when one of the
 * keys verifies it; an unsigned one only when {@link #requireSignature()} is false.
 *
 * <pre>{@code
 * TrustPolicy trust = TrustPolicy.builder()
 *         .trustKey("release", PemKeys.readPublicKey(Path.of("release.pub")))
 *         .requireSignature(true)
 *         .build();
 * engine.load(PluginSpec.builder(PluginSource.ofFile(path)).trust(trust).build());
 * }</pre>
 */
public final class TrustPolicy {

    private static final TrustPolicy NONE = new TrustPolicy(Map.of(), false);

    private final Map<String, PublicKey> trustedKeys;
    private final boolean requireSignature;

    private TrustPolicy(Map<String, PublicKey> trustedKeys, boolean requireSignature) {
        this.trustedKeys = trustedKeys;
        this.requireSignature = requireSignature;
    }

    /** No keys, no signature required: modules load unsigned, signatures are not even looked for. */
    public static TrustPolicy none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Trusted public keys by name, in the order they were added (the order they are tried). */
    public Map<String, PublicKey> trustedKeys() {
        return trustedKeys;
    }

    /** Whether an unsigned module is refused. */
    public boolean requireSignature() {
        return requireSignature;
    }

    /** Whether this policy checks anything, i.e. whether a source should look for a signature. */
    public boolean isActive() {
        return requireSignature || !trustedKeys.isEmpty();
    }

    /**
     * Checks a module against this policy.
     *
     * @param pluginId for the message
     * @param module the module bytes as read from the source
     * @param signature the signature the source found, or {@code null} when it found none
     * @param extensionPoints ids of the extension points the plugin claims, for the message
     * @return the name of the trusted key that verified the module, or empty when the module is
     *     unsigned and this policy allows that (or the policy is {@link #none()})
     * @throws PluginLoadException naming the plugin, the module's digest, the extension points and the
     *     keys tried, when the module is not signed by a trusted key and must be
     */
    public Optional<String> check(String pluginId, byte[] module, ModuleSignature signature,
            Collection<String> extensionPoints) {
        return check(pluginId, module, signature, extensionPoints, null);
    }

    /**
     * As {@link #check(String, byte[], ModuleSignature, Collection)}, naming in a refusal of an unsigned
     * module where the signature was looked for.
     *
     * @param signatureLocation where the source looked for a signature (a path, URL or OCI tag), or
     *     {@code null}
     */
    public Optional<String> check(String pluginId, byte[] module, ModuleSignature signature,
            Collection<String> extensionPoints, String signatureLocation) {
        if (!isActive()) {
            return Optional.empty();
        }
        if (signature == null) {
            if (!requireSignature) {
                return Optional.empty();
            }
            throw refusal(pluginId, module, extensionPoints, "is not signed (no signature found"
                    + (signatureLocation == null ? "" : ": " + signatureLocation) + ") but a signature is required");
        }
        SignatureVerifier.Result result = SignatureVerifier.verify(module, signature, trustedKeys);
        if (result.verified()) {
            return Optional.of(result.keyName());
        }
        throw refusal(pluginId, module, extensionPoints, "is not signed by a trusted key: the signature from "
                + signature.origin() + " " + result.reason());
    }

    private PluginLoadException refusal(String pluginId, byte[] module, Collection<String> extensionPoints,
            String what) {
        String claims = extensionPoints.isEmpty() ? "no extension point" : "extension point"
                + (extensionPoints.size() == 1 ? " " : "s ") + String.join(", ", extensionPoints);
        return new PluginLoadException(pluginId, "trust: module sha256:" + SignatureVerifier.sha256Hex(module)
                + " (" + claims + ") " + what + "; keys tried: "
                + (trustedKeys.isEmpty() ? "none configured" : String.join(", ", trustedKeys.keySet())));
    }

    @Override
    public String toString() {
        return "TrustPolicy{keys=" + trustedKeys.keySet() + ", requireSignature=" + requireSignature + "}";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustPolicy other && requireSignature == other.requireSignature
                && trustedKeys.equals(other.trustedKeys);
    }

    @Override
    public int hashCode() {
        return Objects.hash(trustedKeys, requireSignature);
    }

    /** Builder for {@link TrustPolicy}. */
    public static final class Builder {
        private final Map<String, PublicKey> keys = new LinkedHashMap<>();
        private boolean requireSignature;

        private Builder() {
        }

        /** Trusts a public key (ECDSA P-256) under a name that messages and {@code Plugin.signedBy()} show. */
        public Builder trustKey(String name, PublicKey key) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("key name must not be blank");
            }
            PemKeys.requireSupported(key, "trusted key '" + name + "'");
            keys.put(name, key);
            return this;
        }

        public Builder trustKeys(Map<String, ? extends PublicKey> named) {
            named.forEach(this::trustKey);
            return this;
        }

        /** Refuse unsigned modules (default false: unsigned modules load, signed ones must verify). */
        public Builder requireSignature(boolean require) {
            this.requireSignature = require;
            return this;
        }

        /**
         * @throws IllegalStateException when a signature is required but no key is trusted: no module
         *     could ever load
         */
        public TrustPolicy build() {
            if (requireSignature && keys.isEmpty()) {
                throw new IllegalStateException("a trust policy that requires a signature needs at least one trusted key");
            }
            if (!requireSignature && keys.isEmpty()) {
                return NONE;
            }
            return new TrustPolicy(Collections.unmodifiableMap(new LinkedHashMap<>(keys)), requireSignature);
        }
    }
}
