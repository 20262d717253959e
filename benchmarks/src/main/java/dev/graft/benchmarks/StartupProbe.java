package dev.graft.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Start-up from the application's point of view, one fresh JVM per run ({@code benchmarks/run.sh} runs
 * it several times): how long after the JVM started the first plugin (the ~100 KB module of
 * {@link Lifecycle}) is ready, then how long each of three later, different plugins (the same code
 * under other digests) takes to load in that still-young JVM.
 *
 * <pre>
 * java -cp benchmarks.jar dev.graft.benchmarks.StartupProbe probe [CACHE_DIR]    # prints one "startup ..." line
 * java -cp benchmarks.jar dev.graft.benchmarks.StartupProbe fill CACHE_DIR [N]    # compiles variants 0..N into CACHE_DIR
 * java -cp benchmarks.jar dev.graft.benchmarks.StartupProbe phases               # where a cold load's time goes
 * java -cp benchmarks.jar dev.graft.benchmarks.StartupProbe fill-classpath DIR [N]  # classpath cache entries of variants 0..N
 * java -cp benchmarks.jar dev.graft.benchmarks.StartupProbe probe-classpath DIR     # probe with DIR as the classpath cache
 * </pre>
 *
 * With {@code -Dgraft.launchedAtMs=<epoch ms>} (the script passes {@code date +%s%3N}) it also reports
 * the time since the {@code java} process was launched, which includes the JVM's own boot.
 */
public final class StartupProbe {

    static final int LATER_PLUGINS = 3;

    private StartupProbe() {
    }

    /** One probe's figures, in milliseconds. */
    record Result(String mode, double sinceJvmStartMs, double sinceLaunchMs, double firstLoadMs, List<Double> laterLoadMs) {
        String line() {
            return String.format(Locale.ROOT, "startup mode=%s sinceJvmStartMs=%.1f sinceLaunchMs=%.1f firstLoadMs=%.1f laterLoadMs=%s",
                    mode, sinceJvmStartMs, sinceLaunchMs, firstLoadMs,
                    laterLoadMs.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).collect(Collectors.joining(",")));
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length >= 2 && args[0].equals("fill")) {
            int variants = args.length > 2 ? Integer.parseInt(args[2]) : LATER_PLUGINS;
            Path dir = Path.of(args[1]);
            Path files = Files.createTempDirectory("graft-bench-fill");
            try {
                for (int v = 0; v <= variants; v++) {
                    Lifecycle.load(Lifecycle.newEngine(dir), Lifecycle.moduleFile(files, v));
                }
            } finally {
                Lifecycle.deleteTree(files);
            }
            return;
        }
        if (args.length >= 2 && args[0].equals("fill-classpath")) {
            int variants = args.length > 2 ? Integer.parseInt(args[2]) : LATER_PLUGINS;
            for (int v = 0; v <= variants; v++) {
                dev.graft.host.engine.ClasspathCompileCache.write(Path.of(args[1]), "plugin-" + v,
                        Lifecycle.moduleBytes(v), dev.graft.api.policy.PluginPolicy.defaults().fuelCosts());
            }
            return;
        }
        if (args.length >= 2 && args[0].equals("probe-classpath")) {
            java.net.URLClassLoader loader = new java.net.URLClassLoader(
                    new java.net.URL[] {Path.of(args[1]).toUri().toURL()}, StartupProbe.class.getClassLoader());
            System.out.println(probe("classpath",
                    () -> dev.graft.host.engine.GraftEngine.builder().classpathCompileCache(loader).build()).line());
            return;
        }
        if (args.length >= 1 && args[0].equals("phases")) {
            System.out.println(phases());
            return;
        }
        if (args.length >= 1 && args[0].equals("probe")) {
            Path cacheDir = args.length > 1 ? Path.of(args[1]) : null;
            System.out.println(probe(cacheDir != null ? "cache" : "nocache", () -> Lifecycle.newEngine(cacheDir)).line());
            return;
        }
        System.err.println("usage: StartupProbe probe [CACHE_DIR] | fill CACHE_DIR [N]");
        System.exit(64);
    }

    /**
     * The steps of a first load in a fresh JVM, each timed on its own with Chicory and the metering pass
     * called directly (sha256, meter, parse, compile), then Graft's whole load of the same bytes on a new
     * engine (everything but the trial instance and the checks is then warm-ish), then a second
     * compile of another digest (the same code): one "phases" line.
     */
    static String phases() throws IOException {
        byte[] bytes = Lifecycle.moduleBytes(0);
        long t0 = System.nanoTime();
        String sha = dev.graft.host.source.PluginSource.sha256Hex(bytes);
        long t1 = System.nanoTime();
        byte[] metered = dev.graft.host.metering.FuelMetering.instrument(bytes, dev.graft.api.policy.CostModel.defaults());
        long t2 = System.nanoTime();
        var module = com.dylibso.chicory.wasm.Parser.parse(metered);
        long t3 = System.nanoTime();
        com.dylibso.chicory.compiler.MachineFactoryCompiler.builder(module)
                .withInterpreterFallback(com.dylibso.chicory.compiler.InterpreterFallback.SILENT).compile();
        long t4 = System.nanoTime();
        Path files = Files.createTempDirectory("graft-bench-phases");
        double graftLoad;
        double secondCompile;
        try {
            Path file = Lifecycle.moduleFile(files, 1);
            long s = System.nanoTime();
            Lifecycle.load(Lifecycle.newEngine(null), file);
            graftLoad = (System.nanoTime() - s) / 1e6;
            byte[] other = dev.graft.host.metering.FuelMetering.instrument(Lifecycle.moduleBytes(2),
                    dev.graft.api.policy.CostModel.defaults());
            var otherModule = com.dylibso.chicory.wasm.Parser.parse(other);
            s = System.nanoTime();
            com.dylibso.chicory.compiler.MachineFactoryCompiler.builder(otherModule)
                    .withInterpreterFallback(com.dylibso.chicory.compiler.InterpreterFallback.SILENT).compile();
            secondCompile = (System.nanoTime() - s) / 1e6;
        } finally {
            Lifecycle.deleteTree(files);
        }
        return String.format(Locale.ROOT, "phases sha256Ms=%.1f meterMs=%.1f parseMs=%.1f compileMs=%.1f "
                + "thenGraftLoadMs=%.1f thenCompileMs=%.1f bytes=%d meteredBytes=%d digest=%s",
                (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6, graftLoad, secondCompile,
                bytes.length, metered.length, sha.substring(0, 12));
    }

    static Result probe(String mode, java.util.function.Supplier<Object> newEngine) throws IOException {
        Path files = Files.createTempDirectory("graft-bench-probe");
        try {
            long t0 = System.nanoTime();
            Object engine = newEngine.get();
            Lifecycle.load(engine, Lifecycle.moduleFile(files, 0));
            long t1 = System.nanoTime();
            long readyAt = System.currentTimeMillis();
            List<Double> later = new ArrayList<>();
            for (int v = 1; v <= LATER_PLUGINS; v++) {
                Path file = Lifecycle.moduleFile(files, v);
                long s = System.nanoTime();
                Lifecycle.load(engine, file);
                later.add((System.nanoTime() - s) / 1e6);
            }
            // Read after the loads: the management classes take time of their own to load.
            long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
            String launched = System.getProperty("graft.launchedAtMs");
            double sinceLaunch = launched == null ? Double.NaN : readyAt - Long.parseLong(launched.trim());
            return new Result(mode, readyAt - jvmStart, sinceLaunch, (t1 - t0) / 1e6, later);
        } finally {
            Lifecycle.deleteTree(files);
        }
    }
}
