package dev.graft.cli;

import dev.graft.host.source.OciReference;
import dev.graft.host.source.OciRegistry;
import dev.graft.host.source.PluginSource;
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

/** {@code graft push}: publishes a module to an OCI registry as an artifact with one wasm layer. */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = "Publishes a module to an OCI registry; prints the manifest digest to pin it by. "
                + "With --sign-key, also stores a cosign-compatible signature.")
final class PushCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The .wasm file.")
    Path module;

    @Parameters(index = "1", paramLabel = "REFERENCE", description = "oci://host[:port]/repository:tag")
    String reference;

    @Option(names = "--sign-key", paramLabel = "PRIVATE.pem",
            description = "Also sign the pushed manifest as cosign does (tag sha256-<digest>.sig in the same repository).")
    Path signKey;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        OciReference ref;
        try {
            ref = OciReference.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new GraftCommand.UsageException(e.getMessage());
        }
        PrivateKey key = signKey == null ? null : CliKeys.privateKey(signKey);
        try {
            byte[] bytes = Files.readAllBytes(module);
            OciRegistry registry = new OciRegistry(OciRegistry.defaultCacheDirectory());
            String digest = registry.push(bytes, ref);
            System.out.println(ref.toString().replaceAll(":[^:/@]+$", "") + "@" + digest);
            err.println("pushed " + module + " (module sha256 " + PluginSource.sha256Hex(bytes) + ") as " + ref);
            if (key != null) {
                err.println("signed with " + signKey + ": " + registry.pushSignature(ref, digest, key));
            }
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("graft: push of " + module + " to " + ref + " failed: " + e.getMessage());
            return ExitCodes.PLUGIN_ERROR;
        }
    }
}
