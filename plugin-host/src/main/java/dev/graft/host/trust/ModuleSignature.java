package dev.graft.host.trust;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A signature a {@code PluginSource} found for a module, in one of two forms:
 * <ul>
 *   <li>{@linkplain #detached detached}: an ECDSA P-256 / SHA-256 signature over the module bytes, as
 *       {@code graft sign} and {@code cosign sign-blob} write it (base64 text in {@code X.wasm.sig});</li>
 *   <li>{@linkplain #cosignImage cosign image signature}: the module's OCI image manifest plus the
 *       simple-signing payloads and signatures stored under the tag {@code sha256-<manifest hex>.sig};
 *       a payload names the manifest digest, the manifest names the module layer's digest, so a
 *       signature over a payload covers the module bytes.</li>
 * </ul>
 * Immutable. {@link SignatureVerifier} checks it against trusted keys.
 */
public final class ModuleSignature {

    /** One signed payload of a cosign signature manifest (one layer). */
    public record SignedPayload(byte[] payload, byte[] signature) {
        public SignedPayload {
            payload = payload.clone();
            signature = signature.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }
    }

    private final String origin;
    private final byte[] detached;
    private final byte[] imageManifest;
    private final List<SignedPayload> payloads;

    private ModuleSignature(String origin, byte[] detached, byte[] imageManifest, List<SignedPayload> payloads) {
        this.origin = Objects.requireNonNull(origin, "origin");
        this.detached = detached;
        this.imageManifest = imageManifest;
        this.payloads = payloads;
    }

    /**
     * A detached signature over the module bytes.
     *
     * @param base64OrDer the signature file's content: base64 text (as {@code cosign sign-blob} and
     *     {@code graft sign} write it, surrounding whitespace ignored) or the raw DER bytes
     * @param origin where it was found, for messages (a path, URL, or "upload")
     */
    public static ModuleSignature detached(byte[] base64OrDer, String origin) {
        return new ModuleSignature(origin, decode(base64OrDer), null, null);
    }

    /**
     * A cosign image signature: the module's OCI image manifest (exact bytes as pulled) and the
     * signed simple-signing payloads of its {@code .sig} manifest, each signature base64 (as in the
     * layer annotation) or DER.
     */
    public static ModuleSignature cosignImage(byte[] imageManifest, List<SignedPayload> payloads, String origin) {
        List<SignedPayload> decoded = payloads.stream()
                .map(p -> new SignedPayload(p.payload(), decode(p.signature()))).toList();
        return new ModuleSignature(origin, null, imageManifest.clone(), decoded);
    }

    /** Base64 text (decoded) or raw DER (kept), so a file written either way is read. */
    static byte[] decode(byte[] base64OrDer) {
        Objects.requireNonNull(base64OrDer, "signature");
        String text = new String(base64OrDer, StandardCharsets.ISO_8859_1).strip();
        if (text.matches("[A-Za-z0-9+/=\\r\\n_-]+")) {
            try {
                byte[] decoded = text.contains("-") || text.contains("_")
                        ? Base64.getUrlDecoder().decode(text.replaceAll("\\s", ""))
                        : Base64.getMimeDecoder().decode(text);
                if (decoded.length > 0 && decoded[0] == 0x30) {
                    return decoded;
                }
            } catch (IllegalArgumentException notBase64) {
                // fall through: raw bytes
            }
        }
        return base64OrDer.clone();
    }

    /** Where the signature was found, for messages. */
    public String origin() {
        return origin;
    }

    /** Whether this is a detached signature over the module bytes. */
    public boolean isDetached() {
        return detached != null;
    }

    /** The DER signature over the module bytes; only for {@linkplain #isDetached() detached} signatures. */
    public byte[] detachedSignature() {
        if (detached == null) {
            throw new IllegalStateException("not a detached signature: " + origin);
        }
        return detached.clone();
    }

    /** The image manifest a cosign signature binds; only for cosign image signatures. */
    public byte[] imageManifest() {
        if (imageManifest == null) {
            throw new IllegalStateException("not a cosign image signature: " + origin);
        }
        return imageManifest.clone();
    }

    /** The signed simple-signing payloads; empty for detached signatures. */
    public List<SignedPayload> payloads() {
        return payloads == null ? List.of() : payloads;
    }

    @Override
    public String toString() {
        return "ModuleSignature{" + (isDetached() ? "detached" : "cosign image, " + payloads.size() + " payload(s)")
                + " from " + origin + "}";
    }
}
