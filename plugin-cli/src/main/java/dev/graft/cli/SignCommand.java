package dev.graft.cli;

import dev.graft.host.source.PluginSource;
import dev.graft.host.trust.PemKeys;
import dev.graft.host.trust.Signer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code graft sign}: a detached signature beside a module, as {@code cosign sign-blob} writes one. */
@Command(name = "sign", mixinStandardHelpOptions = true,
        description = "Signs a module (ECDSA P-256, SHA-256) and writes the base64 signature to MODULE.sig, "
                + "the file Graft looks for beside a module (cosign verify-blob reads it too).")
final class SignCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The .wasm file.")
    Path module;

    @Option(names = "--key", paramLabel = "PRIVATE.pem", required = true, description = "PKCS#8 PEM private key (graft keygen).")
    Path key;

    @Option(names = "--output", paramLabel = "FILE", description = "Where to write the signature (default: MODULE.sig).")
    Path output;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrivateKey privateKey = CliKeys.privateKey(key);
        Path target = output != null ? output : module.resolveSibling(module.getFileName() + PluginSource.SIGNATURE_SUFFIX);
        try {
            byte[] bytes = Files.readAllBytes(module);
            Files.write(target, Signer.signDetached(bytes, privateKey));
            System.out.println(target);
            err.println("signed " + module + " (sha256 " + PluginSource.sha256Hex(bytes) + ") with " + key);
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("graft: cannot sign " + module + ": " + e);
            return ExitCodes.ERROR;
        }
    }
}
