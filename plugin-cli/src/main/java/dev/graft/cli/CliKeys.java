package dev.graft.cli;

import dev.graft.host.trust.PemKeys;
import dev.graft.host.trust.TrustPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;

/** Reading the keys named on a command line; a key that cannot be read is a usage error. */
final class CliKeys {

    private CliKeys() {
    }

    static PrivateKey privateKey(Path file) {
        try {
            return PemKeys.readPrivateKey(file);
        } catch (IOException e) {
            throw new GraftCommand.UsageException("cannot read the key " + file + ": " + e);
        } catch (IllegalArgumentException e) {
            throw new GraftCommand.UsageException(e.getMessage());
        }
    }

    static PublicKey publicKey(Path file) {
        try {
            return PemKeys.readPublicKey(file);
        } catch (IOException e) {
            throw new GraftCommand.UsageException("cannot read the key " + file + ": " + e);
        } catch (IllegalArgumentException e) {
            throw new GraftCommand.UsageException(e.getMessage());
        }
    }

    /** Each key named by its file name without {@code .pub}/{@code .pem}. */
    static TrustPolicy trust(List<Path> keys, boolean requireSignature) {
        if (keys.isEmpty()) {
            if (requireSignature) {
                throw new GraftCommand.UsageException("--require-signature needs at least one --trusted-key");
            }
            return TrustPolicy.none();
        }
        TrustPolicy.Builder trust = TrustPolicy.builder().requireSignature(requireSignature);
        for (Path file : keys) {
            trust.trustKey(keyName(file), publicKey(file));
        }
        return trust.build();
    }

    static String keyName(Path file) {
        String name = file.getFileName().toString();
        return name.replaceFirst("\\.(pub|pem)$", "");
    }
}
