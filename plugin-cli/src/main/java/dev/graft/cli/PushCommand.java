package dev.graft.cli;

import dev.graft.host.source.OciReference;
import dev.graft.host.source.OciRegistry;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code graft push}: publishes a module to an OCI registry as an artifact with one wasm layer. */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = "Publishes a module to an OCI registry; prints the manifest digest to pin it by.")
final class PushCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The .wasm file.")
    Path module;

    @Parameters(index = "1", paramLabel = "REFERENCE", description = "oci://host[:port]/repository:tag")
    String reference;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        OciReference ref;
        try {
            ref = OciReference.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new GraftCommand.UsageException(e.getMessage());
        }
        try {
            byte[] bytes = Files.readAllBytes(module);
            String digest = new OciRegistry(OciRegistry.defaultCacheDirectory()).push(bytes, ref);
            System.out.println(ref.toString().replaceAll(":[^:/@]+$", "") + "@" + digest);
            err.println("pushed " + module + " (module sha256 " + PluginSource.sha256Hex(bytes) + ") as " + ref);
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("graft: push of " + module + " to " + ref + " failed: " + e.getMessage());
            return ExitCodes.PLUGIN_ERROR;
        }
    }
}
