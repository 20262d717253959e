package dev.graft.benchmarks;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.CallResult;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The lifecycle in a warm JVM. Loading a later plugin: the ~100 KB module of {@link Lifecycle} on a new
 * engine each time (so no in-memory compile cache helps), without and with a filled persistent compile
 * cache. Instantiating from a compiled module: a call of the trivial export {@code noop} on a fresh
 * instance, against the same call on a pooled instance (pool checkout and return), and raw Chicory's
 * own instantiation of the same compiled module for reference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class LifecycleBenchmark {

    private static final byte[] EMPTY = new byte[0];

    private Path dir;
    private Path module;
    private Path cacheDir;
    private Plugin fresh;
    private Plugin pooled;
    private WasmModule rawModule;
    private Function<Instance, Machine> rawFactory;
    private ImportValues rawImports;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("graft-bench-lifecycle");
        module = Lifecycle.moduleFile(dir, 0);
        cacheDir = dir.resolve("cache");
        Lifecycle.load(Lifecycle.newEngine(cacheDir), module); // fills the cache

        fresh = Fixtures.ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("noop", Fixtures.BENCH_WASM))
                .policy(PluginPolicy.defaults()).build());
        pooled = Fixtures.ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("noop", Fixtures.BENCH_WASM))
                .policy(PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2).build()).build());

        rawModule = Parser.parse(Fixtures.BENCH_WASM);
        rawFactory = MachineFactoryCompiler.compile(rawModule);
        rawImports = TypedCallBenchmark.stubImports(rawModule);
    }

    @TearDown
    public void tearDown() {
        Lifecycle.deleteTree(dir);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Object loadLaterPlugin() {
        return Lifecycle.load(Lifecycle.newEngine(null), module);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Object loadLaterPluginCached() {
        return Lifecycle.load(Lifecycle.newEngine(cacheDir), module);
    }

    /** Instantiate from the compiled module (metered, default policy), call {@code noop}, discard. */
    @Benchmark
    public CallResult freshInstanceCall() {
        return fresh.call("noop", EMPTY);
    }

    /** Check an instance out of the pool, call {@code noop}, return it. */
    @Benchmark
    public CallResult pooledCall() {
        return pooled.call("noop", EMPTY);
    }

    /** Chicory alone: instantiate the same (unmetered) module from its compiled machine factory. */
    @Benchmark
    public Instance rawChicoryInstantiate() {
        return Instance.builder(rawModule).withImportValues(rawImports).withMachineFactory(rawFactory).build();
    }
}
