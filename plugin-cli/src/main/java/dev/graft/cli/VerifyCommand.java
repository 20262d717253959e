package dev.graft.cli;

import dev.graft.api.PluginLoadException;
import dev.graft.host.source.PluginSource;
import dev.graft.host.trust.TrustPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code graft verify}: checks a module's signature as a host with these trusted keys and a required
 * signature would at load, without loading it.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verifies a module's signature: MODULE.sig beside a file or URL, the cosign signature tag for "
                + "oci:// references. Exit 0 and 'verified' when a key verifies it, 2 with the reason when not.")
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The .wasm file, an http(s) URL or oci://host/repository:tag.")
    String module;

    @Option(names = "--key", paramLabel = "PUBLIC.pem", required = true,
            description = "PEM public key (graft keygen, cosign generate-key-pair); repeatable, any one must verify.")
    List<Path> keys;

    @Option(names = "--signature", paramLabel = "FILE", description = "The detached signature file (default: MODULE.sig).")
    Path signature;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        TrustPolicy trust = CliKeys.trust(keys, true);
        PluginSource source = PluginOptions.sourceOf(module, null);
        if (signature != null) {
            try {
                source = source.withSignature(Files.readAllBytes(signature));
            } catch (IOException e) {
                throw new GraftCommand.UsageException("cannot read the signature " + signature + ": " + e);
            }
        }
        try {
            PluginSource.Contents contents = source.read(Long.MAX_VALUE - 1, true);
            String key = trust.check(source.pluginId(), contents.bytes(), contents.signature().orElse(null), List.of(),
                    source.signatureLocation())
                    .orElseThrow();
            System.out.println("verified");
            err.println(module + " (sha256 " + PluginSource.sha256Hex(contents.bytes()) + ") is signed by " + key
                    + contents.signature().map(s -> " (" + s.origin() + ")").orElse(""));
            return ExitCodes.OK;
        } catch (PluginLoadException e) {
            err.println("graft: " + e.getMessage());
            return ExitCodes.LOAD_REFUSED;
        }
    }
}
