package dev.graft.cli;

import dev.graft.api.PluginException;
import dev.graft.host.engine.CallResult;
import dev.graft.host.engine.Plugin;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code graft call}: calls one export of a plugin, modelled on {@code extism call}. */
@Command(name = "call", mixinStandardHelpOptions = true,
        description = "Calls an export of a plugin and writes its output bytes to stdout.")
final class CallCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The .wasm file, an http(s) URL or oci://host/repository:tag.")
    String module;

    @Parameters(index = "1", paramLabel = "EXPORT", description = "The export to call.")
    String export;

    @Mixin
    PluginOptions options;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        byte[] input = options.inputBytes();
        try (Plugin plugin = options.load(module)) {
            if (plugin.isComponent()) {
                throw new GraftCommand.UsageException(module + " is a WebAssembly component: its exports take typed "
                        + "values, not bytes; call it with `graft check " + module + " --contract CLASS --input ...`");
            }
            CallResult result = plugin.call(export, input);
            PrintStream out = System.out;
            out.write(result.output(), 0, result.output().length);
            out.flush();
            options.printStats(err, plugin, result.stats());
            return ExitCodes.OK;
        } catch (PluginException e) {
            err.println("graft: " + e.getMessage());
            return ExitCodes.of(e);
        }
    }
}
