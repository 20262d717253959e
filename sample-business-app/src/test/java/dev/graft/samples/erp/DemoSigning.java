package dev.graft.samples.erp;

import dev.graft.host.trust.PemKeys;
import dev.graft.host.trust.Signer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;

/**
 * Signs modules with the demo key's private half (test resources only; its public half is
 * {@code trust/erp-demo.pub.pem} in the application, trusted as {@code erp-demo}).
 */
final class DemoSigning {

    private DemoSigning() {
    }

    static final PrivateKey KEY = read("/trust/erp-demo.private.pem");

    /** The detached signature as {@code ./graft sign} writes it: base64 of the DER ECDSA signature. */
    static String sign(byte[] module) {
        return Signer.signBase64(module, KEY);
    }

    static PrivateKey read(String resource) {
        try (InputStream in = DemoSigning.class.getResourceAsStream(resource)) {
            return PemKeys.readPrivateKey(new String(in.readAllBytes(), StandardCharsets.US_ASCII), resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
