package dev.graft.host.trust;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * Creates ECDSA P-256 key pairs and SHA-256 ECDSA signatures (ASN.1 DER) with the JDK's own providers:
 * the key type and signature encoding cosign uses by default, so {@code cosign verify-blob} and
 * {@code cosign verify} accept what Graft signs.
 */
public final class Signer {

    private Signer() {
    }

    /** A fresh ECDSA key pair on curve secp256r1 (P-256). */
    public static KeyPair generateKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM offers no ECDSA P-256 key generation", e);
        }
    }

    /** The DER signature of {@code content} (SHA256withECDSA). */
    public static byte[] sign(byte[] content, PrivateKey key) {
        PemKeys.requireSupported(key, "signing key");
        try {
            Signature signer = Signature.getInstance(SignatureVerifier.ALGORITHM);
            signer.initSign(key);
            signer.update(content);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + key.getAlgorithm() + ": " + e.getMessage(), e);
        }
    }

    /** The signature as a detached signature file holds it: base64 text, no line breaks (as cosign sign-blob). */
    public static byte[] signDetached(byte[] content, PrivateKey key) {
        return Base64.getEncoder().encode(sign(content, key));
    }

    /** The base64 signature over {@code content}, as a string (for the cosign signature annotation). */
    public static String signBase64(byte[] content, PrivateKey key) {
        return new String(signDetached(content, key), StandardCharsets.US_ASCII);
    }
}
