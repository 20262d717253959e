package dev.graft.benchmarks;

import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.CommandResult;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Time from the start of {@code load} to the end of the first call of a newly loaded ~100 KB plugin
 * (the fractal tree WASI command) in a warm JVM, {@code tiered} against {@code compiled}, paired and
 * alternating in one JVM. Each sample uses a new engine (no in-memory cache); after a tiered sample
 * the probe waits, untimed, until its background compile has finished, so that it does not slow the
 * next sample down.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.graft.benchmarks.FirstCallProbe [rounds] [warm-up rounds]</pre>
 */
public final class FirstCallProbe {

    private FirstCallProbe() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path dir = Files.createTempDirectory("graft-first-call");
        Path module = Lifecycle.moduleFile(dir, 0);
        double[] tiered = new double[rounds];
        double[] compiled = new double[rounds];
        double[] ratios = new double[rounds];
        for (int r = -warmups; r < rounds; r++) {
            double t;
            double c;
            if ((r & 1) == 0) {
                t = sample(module, ExecutionMode.TIERED);
                c = sample(module, ExecutionMode.COMPILED);
            } else {
                c = sample(module, ExecutionMode.COMPILED);
                t = sample(module, ExecutionMode.TIERED);
            }
            if (r >= 0) {
                tiered[r] = t;
                compiled[r] = c;
                ratios[r] = t / c;
            }
        }
        System.out.println(String.format(Locale.ROOT,
                "first-call tieredMs=%.1f (q1 %.1f, q3 %.1f) compiledMs=%.1f (q1 %.1f, q3 %.1f) ratio=%.3f rounds=%d",
                PairedTimer.quantile(tiered, 0.5), PairedTimer.quantile(tiered, 0.25),
                PairedTimer.quantile(tiered, 0.75), PairedTimer.quantile(compiled, 0.5),
                PairedTimer.quantile(compiled, 0.25), PairedTimer.quantile(compiled, 0.75),
                PairedTimer.quantile(ratios, 0.5), rounds));
        Lifecycle.deleteTree(dir);
    }

    /** Milliseconds from load start to the first call's end. */
    private static double sample(Path module, ExecutionMode mode) throws InterruptedException {
        GraftEngine engine = GraftEngine.create();
        PluginPolicy policy = PluginPolicy.builder().mode(mode)
                .capabilities(Capabilities.builder().wasi(true).build()).build();
        long start = System.nanoTime();
        Plugin plugin = engine.load(PluginSpec.builder(PluginSource.ofFile(module)).policy(policy).build());
        CommandResult result = plugin.runCommand(List.of("fractal-tree-cli", "42", "5", "100"), Map.of(), new byte[0]);
        long end = System.nanoTime();
        if (result.stdout().length == 0 && result.exitCode() == 0) {
            throw new IllegalStateException("the first call produced nothing: " + Arrays.toString(result.stdout()));
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (plugin.executionTier() != ExecutionMode.COMPILED && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        plugin.close();
        return (end - start) / 1e6;
    }
}
