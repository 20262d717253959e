package dev.graft.benchmarks;

import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import dev.graft.samples.contracts.TreeRenderer;
import dev.graft.samples.contracts.TreeRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fractal tree at depth 13 (8,191 lines, about 31 million fuel): the Java port
 * ({@link FractalTree}, byte-identical SVG) against the Rust plugin through Graft's typed
 * {@link TreeRenderer}, compiled and pooled, unmetered (fuel 0) and metered (budget 100,000,000).
 * The metered/unmetered ratio is fuel's overhead on compute-heavy code.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class FractalTreeBenchmark {

    static final int DEPTH = 13;
    static final long METERED_BUDGET = 100_000_000L;
    static final TreeRequest REQUEST = new TreeRequest("Hello WASM", DEPTH, 100.0);

    private TreeRenderer unmetered;
    private TreeRenderer metered;

    @Setup
    public void setUp() {
        unmetered = tree(0);
        metered = tree(METERED_BUDGET);
    }

    static TreeRenderer tree(long fuel) {
        PluginPolicy policy = PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2).fuel(fuel)
                .timeout(Duration.ofSeconds(60)).build();
        return Fixtures.ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("fractal-tree",
                Fixtures.bytes(Fixtures.FRACTAL_TREE))).policy(policy).extensionPoint(TreeRenderer.class).build())
                .extension(TreeRenderer.class);
    }

    @Benchmark
    public byte[] javaPort() {
        return FractalTree.render(REQUEST.seed(), REQUEST.depth(), REQUEST.trunkLength());
    }

    @Benchmark
    public byte[] pluginUnmetered() {
        return unmetered.render(REQUEST);
    }

    @Benchmark
    public byte[] pluginMetered() {
        return metered.render(REQUEST);
    }
}
