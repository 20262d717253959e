package dev.graft.host.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies a {@link ModuleSignature} over module bytes against named public keys with the JDK's
 * {@code SHA256withECDSA} (ASN.1 DER signatures, as cosign writes them). Stateless.
 */
public final class SignatureVerifier {

    /** The JCA algorithm of Graft and cosign signatures with ECDSA P-256 keys. */
    public static final String ALGORITHM = "SHA256withECDSA";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> WASM_LAYER_TYPES = Set.of("application/wasm", "application/vnd.wasm.content.layer.v1+wasm");

    private SignatureVerifier() {
    }

    /**
     * The outcome of a verification.
     *
     * @param keyName the name of the key that verified, or {@code null}
     * @param reason why nothing verified (for messages), or {@code null} when verified
     */
    public record Result(String keyName, String reason) {
        public boolean verified() {
            return keyName != null;
        }

        static Result by(String keyName) {
            return new Result(keyName, null);
        }

        static Result refused(String reason) {
            return new Result(null, reason);
        }
    }

    /**
     * Verifies {@code signature} over {@code module} with each key in turn.
     *
     * @return the first key that verified, or the reason none did (the signature is malformed, binds
     *     other bytes, or was made by a key not among {@code keys})
     */
    public static Result verify(byte[] module, ModuleSignature signature, Map<String, PublicKey> keys) {
        if (signature.isDetached()) {
            String key = firstVerifying(module, signature.detachedSignature(), keys);
            return key != null ? Result.by(key) : Result.refused("does not verify with any trusted key"
                    + " (made by another key, over other bytes, or not an ECDSA P-256 signature)");
        }
        String bound = boundManifestDigest(signature.imageManifest(), sha256Hex(module));
        if (bound.startsWith("!")) {
            return Result.refused(bound.substring(1));
        }
        List<String> problems = new ArrayList<>();
        for (ModuleSignature.SignedPayload signed : signature.payloads()) {
            SimpleSigningPayload payload;
            try {
                payload = SimpleSigningPayload.parse(signed.payload());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
                continue;
            }
            if (!payload.manifestDigest().equals(bound)) {
                problems.add("a payload signs manifest " + payload.manifestDigest() + ", not the module's manifest " + bound);
                continue;
            }
            String key = firstVerifying(signed.payload(), signed.signature(), keys);
            if (key != null) {
                return Result.by(key);
            }
            problems.add("a payload's signature does not verify with any trusted key");
        }
        return Result.refused(problems.isEmpty() ? "holds no signed payload" : String.join("; ", problems));
    }

    /** Whether {@code signature} (DER) over {@code content} verifies with {@code key}. */
    public static boolean verifies(byte[] content, byte[] signature, PublicKey key) {
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(content);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            // A malformed signature is one that does not verify (providers may throw unchecked for odd DER).
            return false;
        }
    }

    private static String firstVerifying(byte[] content, byte[] signature, Map<String, PublicKey> keys) {
        for (Map.Entry<String, PublicKey> key : keys.entrySet()) {
            if (verifies(content, signature, key.getValue())) {
                return key.getKey();
            }
        }
        return null;
    }

    /**
     * The manifest's digest when its wasm layer is the module, else "!" and the reason: the signature
     * covers the manifest, the manifest covers the module.
     */
    private static String boundManifestDigest(byte[] manifest, String moduleHex) {
        JsonNode root;
        try {
            root = JSON.readTree(manifest);
        } catch (IOException e) {
            return "!binds an image manifest that is not JSON";
        }
        for (JsonNode layer : root.path("layers")) {
            if (WASM_LAYER_TYPES.contains(layer.path("mediaType").asText())) {
                String layerDigest = layer.path("digest").asText();
                if (!layerDigest.equals("sha256:" + moduleHex)) {
                    return "!binds a manifest whose module layer is " + layerDigest + ", not sha256:" + moduleHex;
                }
                return "sha256:" + sha256Hex(manifest);
            }
        }
        return "!binds a manifest without a wasm layer";
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
