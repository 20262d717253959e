package dev.graft.benchmarks;

import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.ClasspathCompileCache;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loading a bundled ~100 KB plugin (the fractal tree WASI command) in a warm JVM until it serves
 * compiled: from the classpath compile cache (written by {@link ClasspathCompileCache#write} into a
 * folder on a class loader's path, as the sample app's build does), from the directory cache (filled
 * beforehand) and compiled at load, alternating in one JVM. Each sample uses a new engine (no
 * in-memory cache) and mode {@code compiled}, so "loaded" means "serves compiled". A fourth figure,
 * {@code classpathCompile}, is {@link GraftEngine#compile} alone from the classpath cache (lookup,
 * digest checks, parsing the stubbed module, defining the main class), the rest of a load being reading
 * and hashing the file, checking imports and exports and the trial instance. {@code untilFirstCallEndMs}
 * adds the first call (a tree of depth 5), which for the classpath cache includes defining and
 * verifying the module's function classes.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.graft.benchmarks.ClasspathCacheProbe [rounds] [warm-up rounds]</pre>
 */
public final class ClasspathCacheProbe {

    private ClasspathCacheProbe() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path dir = Files.createTempDirectory("graft-classpath-cache");
        Path module = Lifecycle.moduleFile(dir, 0);
        byte[] bytes = Files.readAllBytes(module);
        Path classes = dir.resolve("classes");
        ClasspathCompileCache.write(classes, "fractal-tree-cli", bytes, PluginPolicy.defaults().fuelCosts());
        Path cacheDir = dir.resolve("cache");
        GraftEngine.withCompileCache(cacheDir).compile("fractal-tree-cli", bytes, ExecutionMode.COMPILED,
                PluginPolicy.defaults().fuelCosts());
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ClasspathCacheProbe.class.getClassLoader())) {
            double[] classpath = new double[rounds];
            double[] directory = new double[rounds];
            double[] none = new double[rounds];
            double[] compileOnly = new double[rounds];
            double[] ratios = new double[rounds];
            double[] classpathFirstCall = new double[rounds];
            double[] directoryFirstCall = new double[rounds];
            for (int r = -warmups; r < rounds; r++) {
                double[] c;
                double[] d;
                double[] n;
                double k;
                if ((r & 1) == 0) {
                    c = sample(GraftEngine.builder().classpathCompileCache(loader).build(), module);
                    d = sample(GraftEngine.withCompileCache(cacheDir), module);
                    n = sample(GraftEngine.create(), module);
                    k = compileOnly(loader, bytes);
                } else {
                    k = compileOnly(loader, bytes);
                    n = sample(GraftEngine.create(), module);
                    d = sample(GraftEngine.withCompileCache(cacheDir), module);
                    c = sample(GraftEngine.builder().classpathCompileCache(loader).build(), module);
                }
                if (r >= 0) {
                    classpath[r] = c[0];
                    directory[r] = d[0];
                    none[r] = n[0];
                    compileOnly[r] = k;
                    ratios[r] = c[0] / d[0];
                    classpathFirstCall[r] = c[1];
                    directoryFirstCall[r] = d[1];
                }
            }
            System.out.println(String.format(Locale.ROOT,
                    "classpath-cache loadMs classpath=%.1f (q1 %.1f, q3 %.1f) directory=%.1f (q1 %.1f, q3 %.1f)"
                            + " none=%.1f (q1 %.1f, q3 %.1f) classpathCompile=%.1f classpath/directory=%.3f"
                            + " untilFirstCallEndMs classpath=%.1f directory=%.1f rounds=%d",
                    PairedTimer.quantile(classpath, 0.5), PairedTimer.quantile(classpath, 0.25),
                    PairedTimer.quantile(classpath, 0.75), PairedTimer.quantile(directory, 0.5),
                    PairedTimer.quantile(directory, 0.25), PairedTimer.quantile(directory, 0.75),
                    PairedTimer.quantile(none, 0.5), PairedTimer.quantile(none, 0.25), PairedTimer.quantile(none, 0.75),
                    PairedTimer.quantile(compileOnly, 0.5), PairedTimer.quantile(ratios, 0.5),
                    PairedTimer.quantile(classpathFirstCall, 0.5), PairedTimer.quantile(directoryFirstCall, 0.5), rounds));
        }
        Lifecycle.deleteTree(dir);
    }

    /**
     * Milliseconds from load start until the plugin is loaded (compiled), and until the end of its first
     * call (a tree of depth 5): the classpath cache defines a module's function classes at its first call.
     */
    private static double[] sample(GraftEngine engine, Path module) {
        PluginPolicy policy = PluginPolicy.builder().mode(ExecutionMode.COMPILED)
                .capabilities(Capabilities.builder().wasi(true).build()).build();
        long start = System.nanoTime();
        Plugin plugin = engine.load(PluginSpec.builder(PluginSource.ofFile(module)).policy(policy).build());
        long end = System.nanoTime();
        if (plugin.executionTier() != ExecutionMode.COMPILED) {
            throw new IllegalStateException("not compiled");
        }
        if (plugin.runCommand(List.of("fractal-tree-cli", "42", "5", "100"), Map.of(), new byte[0]).stdout().length == 0) {
            throw new IllegalStateException("the plugin produced nothing");
        }
        long called = System.nanoTime();
        plugin.close();
        return new double[] {(end - start) / 1e6, (called - start) / 1e6};
    }

    private static double compileOnly(ClassLoader loader, byte[] bytes) {
        GraftEngine engine = GraftEngine.builder().classpathCompileCache(loader).build();
        long start = System.nanoTime();
        var compiled = engine.compile("fractal-tree-cli", bytes, ExecutionMode.COMPILED, PluginPolicy.defaults().fuelCosts());
        long end = System.nanoTime();
        if (!compiled.fromClasspathCache()) {
            throw new IllegalStateException("the classpath cache was not used");
        }
        return (end - start) / 1e6;
    }
}
