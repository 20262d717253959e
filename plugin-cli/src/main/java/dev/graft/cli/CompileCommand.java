package dev.graft.cli;

import dev.graft.api.PluginException;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.component.ComponentParser;
import dev.graft.host.engine.ClasspathCompileCache;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.source.PluginSource;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code graft compile}: compiles modules ahead of time into a persistent cache folder, or into a
 * classpath folder whose entries a host finds on its classpath ({@code ClasspathCompileCache}). A
 * WebAssembly component is compiled core module by core module, as the engine loads it.
 */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = {"Meters (with the default cost model) and compiles modules, and the core modules of "
                + "WebAssembly components, to JVM classes once and stores them in a cache folder, so that a host "
                + "started with the same folder skips compilation.",
                "With --classpath-output, writes them under DIR/META-INF/graft/compiled/ instead (for example into "
                + "target/classes), so that an application with DIR on its classpath loads them with no metering, "
                + "parsing of function bodies or compiling."})
final class CompileCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "MODULE", description = "The .wasm files (modules or components).")
    List<Path> modules;

    @Option(names = "--cache-dir", paramLabel = "DIR", defaultValue = ".graft-cache",
            description = "The cache folder (default: ${DEFAULT-VALUE}).")
    Path cacheDir;

    @Option(names = "--classpath-output", paramLabel = "DIR",
            description = "A classpath root (such as target/classes) to write classpath compile cache entries into.")
    Path classpathOutput;

    @Option(names = "--max-module", paramLabel = "SIZE", defaultValue = "32MiB", description = "Size cap per module (default: ${DEFAULT-VALUE}).")
    String maxModule;

    @Option(names = "--unmetered", description = "Compile without fuel metering (for hosts that set fuel 0).")
    boolean unmetered;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        GraftEngine engine = classpathOutput != null ? null : GraftEngine.withCompileCache(cacheDir);
        long cap = Sizes.bytes(maxModule);
        int worst = ExitCodes.OK;
        for (Path module : modules) {
            PluginSource source = PluginSource.ofFile(module);
            try {
                long start = System.nanoTime();
                CostModel costs = unmetered ? null : PluginPolicy.defaults().fuelCosts();
                byte[] bytes = source.read(cap);
                if (classpathOutput != null) {
                    List<Path> entries = ClasspathCompileCache.writeAll(classpathOutput, source.pluginId(), bytes, costs);
                    err.printf("compiled %s in %.0f ms into %s%n", module, (System.nanoTime() - start) / 1e6,
                            entries.size() == 1 ? entries.get(0) : entries.size() + " entries " + entries);
                    continue;
                }
                if (ComponentParser.isComponent(bytes)) {
                    // The engine compiles a component core module by core module, each looked up by its own digest.
                    List<byte[]> coreModules = ComponentParser.parse(source.pluginId(), bytes).coreModules();
                    for (byte[] core : coreModules) {
                        engine.compile(source.pluginId(), core, ExecutionMode.COMPILED, costs);
                    }
                    err.printf("compiled %s (sha256 %s, a component of %d core module%s) in %.0f ms into %s%n", module,
                            PluginSource.sha256Hex(bytes), coreModules.size(), coreModules.size() == 1 ? "" : "s",
                            (System.nanoTime() - start) / 1e6, cacheDir);
                    continue;
                }
                String sha = engine.compile(source.pluginId(), bytes, ExecutionMode.COMPILED, costs).sha256();
                err.printf("compiled %s (sha256 %s) in %.0f ms into %s%n", module, sha, (System.nanoTime() - start) / 1e6, cacheDir);
            } catch (UncheckedIOException e) {
                err.println("graft: " + e.getMessage() + ": " + e.getCause().getMessage());
                worst = Math.max(worst, ExitCodes.ERROR);
            } catch (PluginException e) {
                err.println("graft: " + e.getMessage());
                worst = Math.max(worst, ExitCodes.of(e));
            }
        }
        return worst;
    }
}
