package dev.graft.host.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fixed vector in {@code trust/cosign-vector} was signed once with OpenSSL in cosign's format (see
 * its README): Graft's verifier must accept it as it is and refuse it with any byte changed.
 */
class CosignVectorTest {

    static byte[] resource(String name) throws IOException {
        try (InputStream in = CosignVectorTest.class.getResourceAsStream("/trust/cosign-vector/" + name)) {
            return in.readAllBytes();
        }
    }

    static PublicKey vectorKey() throws IOException {
        return PemKeys.readPublicKey(new String(resource("cosign.pub"), StandardCharsets.US_ASCII), "cosign.pub");
    }

    static ModuleSignature imageSignature(byte[] manifest, byte[] payload, byte[] signature) {
        return ModuleSignature.cosignImage(manifest, List.of(new ModuleSignature.SignedPayload(payload, signature)), "vector");
    }

    @Test
    void simpleSigningPayloadOfTheVectorVerifiesAndBindsTheModule() throws IOException {
        byte[] module = resource("module.wasm");
        SignatureVerifier.Result result = SignatureVerifier.verify(module,
                imageSignature(resource("manifest.json"), resource("payload.json"), resource("payload.sig")),
                Map.of("vector", vectorKey()));
        assertTrue(result.verified(), result.reason());
        assertEquals("vector", result.keyName());

        SimpleSigningPayload payload = SimpleSigningPayload.parse(resource("payload.json"));
        assertEquals("sha256:" + SignatureVerifier.sha256Hex(resource("manifest.json")), payload.manifestDigest());
        assertEquals("registry.example.com/graft/vector", payload.dockerReference());
        // Graft writes the payload byte for byte as cosign does.
        assertEquals(new String(resource("payload.json"), StandardCharsets.UTF_8),
                new String(payload.toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void detachedBlobSignatureOfTheVectorVerifies() throws IOException {
        SignatureVerifier.Result result = SignatureVerifier.verify(resource("module.wasm"),
                ModuleSignature.detached(resource("module.wasm.sig"), "module.wasm.sig"), Map.of("vector", vectorKey()));
        assertTrue(result.verified(), result.reason());
    }

    @Test
    void aFlippedByteAnywhereIsRefused() throws IOException {
        byte[] module = resource("module.wasm");
        byte[] manifest = resource("manifest.json");
        byte[] payload = resource("payload.json");
        byte[] signature = resource("payload.sig");
        Map<String, PublicKey> keys = Map.of("vector", vectorKey());

        SignatureVerifier.Result moduleFlipped = SignatureVerifier.verify(flip(module, 40),
                imageSignature(manifest, payload, signature), keys);
        assertFalse(moduleFlipped.verified());
        assertTrue(moduleFlipped.reason().contains("module layer is sha256:" + SignatureVerifier.sha256Hex(module)),
                moduleFlipped.reason());

        // The manifest's digest changes, so the payload names another manifest.
        int space = new String(manifest, StandardCharsets.UTF_8).indexOf("\"size\":2");
        SignatureVerifier.Result manifestFlipped = SignatureVerifier.verify(module,
                imageSignature(flipTo(manifest, space + 7, (byte) '3'), payload, signature), keys);
        assertFalse(manifestFlipped.verified());
        assertTrue(manifestFlipped.reason().contains("not the module's manifest"), manifestFlipped.reason());

        int digit = new String(payload, StandardCharsets.UTF_8).indexOf("example");
        SignatureVerifier.Result payloadFlipped = SignatureVerifier.verify(module,
                imageSignature(manifest, flipTo(payload, digit, (byte) 'E'), signature), keys);
        assertFalse(payloadFlipped.verified());
        assertTrue(payloadFlipped.reason().contains("does not verify"), payloadFlipped.reason());

        byte[] der = ModuleSignature.decode(signature);
        SignatureVerifier.Result signatureFlipped = SignatureVerifier.verify(module,
                imageSignature(manifest, payload, flip(der, der.length - 3)), keys);
        assertFalse(signatureFlipped.verified());

        assertFalse(SignatureVerifier.verify(flip(module, 70), ModuleSignature.detached(resource("module.wasm.sig"), "sig"),
                keys).verified());
    }

    @Test
    void theVectorDoesNotVerifyWithAnotherKey() throws IOException {
        Map<String, PublicKey> other = Map.of("other", Signer.generateKeyPair().getPublic());
        SignatureVerifier.Result result = SignatureVerifier.verify(resource("module.wasm"),
                imageSignature(resource("manifest.json"), resource("payload.json"), resource("payload.sig")), other);
        assertFalse(result.verified());
    }

    static byte[] flip(byte[] bytes, int index) {
        byte[] copy = bytes.clone();
        copy[index] ^= 0x01;
        return copy;
    }

    static byte[] flipTo(byte[] bytes, int index, byte value) {
        byte[] copy = bytes.clone();
        copy[index] = value;
        return copy;
    }
}
