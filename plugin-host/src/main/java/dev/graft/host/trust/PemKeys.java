package dev.graft.host.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes ECDSA P-256 keys as PEM: public keys as {@code PUBLIC KEY} (X.509
 * SubjectPublicKeyInfo, the form {@code cosign generate-key-pair} writes to {@code cosign.pub}),
 * private keys as unencrypted PKCS#8 {@code PRIVATE KEY}. Cosign's encrypted private key format is not
 * read: sign with a Graft key, or with cosign itself.
 */
public final class PemKeys {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");

    private PemKeys() {
    }

    /**
     * Parses a PEM public key.
     *
     * @throws IllegalArgumentException naming {@code what} and the problem (no PEM block, not a
     *     {@code PUBLIC KEY}, not ECDSA P-256)
     */
    public static PublicKey readPublicKey(String pem, String what) {
        byte[] der = block(pem, "PUBLIC KEY", what);
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            requireSupported(key, what);
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " is not an ECDSA public key: " + e.getMessage(), e);
        }
    }

    /** Reads a PEM public key file; messages name the file. */
    public static PublicKey readPublicKey(Path file) throws IOException {
        return readPublicKey(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /**
     * Parses an unencrypted PKCS#8 PEM private key.
     *
     * @throws IllegalArgumentException naming {@code what} and the problem, with a hint for the common
     *     wrong formats (cosign's encrypted key, OpenSSL's {@code EC PRIVATE KEY})
     */
    public static PrivateKey readPrivateKey(String pem, String what) {
        if (pem.contains("ENCRYPTED SIGSTORE PRIVATE KEY") || pem.contains("ENCRYPTED COSIGN PRIVATE KEY")) {
            throw new IllegalArgumentException(what + " is a cosign encrypted private key, which Graft does not read;"
                    + " create a Graft key pair with 'graft keygen', or sign with cosign itself");
        }
        if (pem.contains("BEGIN EC PRIVATE KEY")) {
            throw new IllegalArgumentException(what + " is an OpenSSL 'EC PRIVATE KEY'; convert it to PKCS#8 with"
                    + " 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8'");
        }
        if (pem.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
            throw new IllegalArgumentException(what + " is an encrypted PKCS#8 key; Graft reads unencrypted PKCS#8"
                    + " ('openssl pkcs8 -topk8 -nocrypt')");
        }
        byte[] der = block(pem, "PRIVATE KEY", what);
        try {
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
            requireSupported(key, what);
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " is not an ECDSA private key: " + e.getMessage(), e);
        }
    }

    /** Reads a PEM private key file; messages name the file. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        return readPrivateKey(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /** A {@code PUBLIC KEY} PEM block. */
    public static String writePublicKey(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** An unencrypted PKCS#8 {@code PRIVATE KEY} PEM block. */
    public static String writePrivateKey(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    /**
     * Refuses keys other than ECDSA P-256, the one key type Graft signs and verifies with.
     *
     * @throws IllegalArgumentException naming {@code what}
     */
    public static void requireSupported(Key key, String what) {
        if (!(key instanceof ECKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new IllegalArgumentException(what + " is not an ECDSA P-256 key (" + (key == null ? "null"
                    : key.getAlgorithm()) + "); Graft signatures use ECDSA P-256 with SHA-256, cosign's default");
        }
    }

    private static byte[] block(String pem, String type, String what) {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                try {
                    return Base64.getMimeDecoder().decode(m.group(2));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(what + ": the " + type + " block is not valid base64", e);
                }
            }
        }
        throw new IllegalArgumentException(what + " holds no PEM '" + type + "' block");
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
