package dev.graft.cli;

import dev.graft.api.PluginException;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.source.PluginSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code graft compile}: compiles modules ahead of time into a persistent cache folder. */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = "Meters (with the default cost model) and compiles modules to JVM classes once and stores "
                + "them in a cache folder, so that a host started with the same folder skips compilation.")
final class CompileCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "MODULE", description = "The .wasm files.")
    List<Path> modules;

    @Option(names = "--cache-dir", paramLabel = "DIR", defaultValue = ".graft-cache",
            description = "The cache folder (default: ${DEFAULT-VALUE}).")
    Path cacheDir;

    @Option(names = "--max-module", paramLabel = "SIZE", defaultValue = "32MiB", description = "Size cap per module (default: ${DEFAULT-VALUE}).")
    String maxModule;

    @Option(names = "--unmetered", description = "Compile without fuel metering (for hosts that set fuel 0).")
    boolean unmetered;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        GraftEngine engine = GraftEngine.withCompileCache(cacheDir);
        long cap = Sizes.bytes(maxModule);
        int worst = ExitCodes.OK;
        for (Path module : modules) {
            PluginSource source = PluginSource.ofFile(module);
            try {
                long start = System.nanoTime();
                String sha = engine.compile(source.pluginId(), source.read(cap), ExecutionMode.COMPILED,
                        unmetered ? null : PluginPolicy.defaults().fuelCosts()).sha256();
                err.printf("compiled %s (sha256 %s) in %.0f ms into %s%n", module, sha, (System.nanoTime() - start) / 1e6, cacheDir);
            } catch (PluginException e) {
                err.println("graft: " + e.getMessage());
                worst = Math.max(worst, ExitCodes.of(e));
            }
        }
        return worst;
    }
}
