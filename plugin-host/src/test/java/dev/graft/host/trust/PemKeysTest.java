package dev.graft.host.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;

class PemKeysTest {

    @Test
    void keysSurviveAPemRoundTripAndSignaturesVerifyAfterIt() {
        KeyPair pair = Signer.generateKeyPair();
        String publicPem = PemKeys.writePublicKey(pair.getPublic());
        String privatePem = PemKeys.writePrivateKey(pair.getPrivate());
        assertTrue(publicPem.startsWith("-----BEGIN PUBLIC KEY-----\n"), publicPem);
        assertTrue(privatePem.startsWith("-----BEGIN PRIVATE KEY-----\n"), privatePem);
        PublicKey pub = PemKeys.readPublicKey(publicPem, "pub");
        PrivateKey priv = PemKeys.readPrivateKey(privatePem, "key");
        assertArrayEquals(pair.getPublic().getEncoded(), pub.getEncoded());
        byte[] content = "module".getBytes();
        assertTrue(SignatureVerifier.verifies(content, Signer.sign(content, priv), pub));
    }

    @Test
    void wrongFormatsAreRefusedWithAHint() throws Exception {
        IllegalArgumentException cosign = assertThrows(IllegalArgumentException.class, () -> PemKeys.readPrivateKey(
                "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nabc\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n", "cosign.key"));
        assertTrue(cosign.getMessage().contains("cosign encrypted private key"), cosign.getMessage());
        IllegalArgumentException sec1 = assertThrows(IllegalArgumentException.class, () -> PemKeys.readPrivateKey(
                "-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----\n", "ec.pem"));
        assertTrue(sec1.getMessage().contains("openssl pkcs8"), sec1.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> PemKeys.readPublicKey("hello", "x.pub"));
        assertTrue(none.getMessage().contains("x.pub holds no PEM 'PUBLIC KEY' block"), none.getMessage());

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String rsaPem = PemKeys.writePublicKey(rsa.generateKeyPair().getPublic());
        IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class, () -> PemKeys.readPublicKey(rsaPem, "rsa.pub"));
        assertTrue(wrongType.getMessage().contains("rsa.pub"), wrongType.getMessage());
    }
}
