package dev.graft.cli;

import dev.graft.api.PluginException;
import dev.graft.host.engine.CommandResult;
import dev.graft.host.engine.Plugin;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code graft run}: runs a WASI command module (one that exports {@code _start}) in the sandbox. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs a WASI command (a module exporting _start) with arguments; its stdout goes to stdout. "
                + "WASI is granted; --input/--input-file is its stdin. A non-zero exit of the command exits 3.")
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The .wasm file, an http(s) URL or oci://host/repository:tag.")
    String module;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Arguments of the command (after --, if they start with -).")
    List<String> arguments = new ArrayList<>();

    @Mixin
    PluginOptions options;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        options.wasi = true;
        byte[] stdin = options.inputBytes();
        List<String> argv = new ArrayList<>();
        argv.add(module.substring(module.lastIndexOf('/') + 1));
        argv.addAll(arguments);
        try (Plugin plugin = options.load(module)) {
            CommandResult result = plugin.runCommand(argv, Map.of(), stdin);
            PrintStream out = System.out;
            out.write(result.stdout(), 0, result.stdout().length);
            out.flush();
            options.printStats(err, plugin, result.stats());
            if (result.exitCode() != 0) {
                err.println("graft: the command exited with code " + result.exitCode());
                return ExitCodes.PLUGIN_ERROR;
            }
            return ExitCodes.OK;
        } catch (PluginException e) {
            err.println("graft: " + e.getMessage());
            return ExitCodes.of(e);
        }
    }
}
