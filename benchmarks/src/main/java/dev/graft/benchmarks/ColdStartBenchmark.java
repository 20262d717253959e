package dev.graft.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The first plugin in a fresh JVM: one measured call per fork, each fork a new JVM that has not touched
 * Graft or Chicory before the measured method (JMH single shot). The plugin is the ~100 KB module of
 * {@link Lifecycle}: create an engine, read, hash, meter, parse, compile and instantiate. The cached
 * variant finds the compiled classes in a {@code GraftEngine.withCompileCache} folder that another JVM
 * filled beforehand. What happens before the method (JVM start, JMH's own set-up) is not counted here;
 * {@link StartupProbe} measures from JVM start.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, batchSize = 1)
@Fork(5)
public class ColdStartBenchmark {

    private Path dir;
    private Path module;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("graft-bench-cold");
        module = Lifecycle.moduleFile(dir, 0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Lifecycle.deleteTree(dir);
    }

    /** A compile cache folder filled by another JVM. */
    @State(Scope.Benchmark)
    public static class FilledCache {
        Path dir;

        @Setup(Level.Trial)
        public void fill() throws IOException {
            dir = Files.createTempDirectory("graft-bench-cache");
            Lifecycle.fillCacheInAnotherJvm(dir, 0);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            Lifecycle.deleteTree(dir);
        }
    }

    @Benchmark
    public Object coldLoad() {
        return Lifecycle.load(Lifecycle.newEngine(null), module);
    }

    @Benchmark
    public Object coldLoadCached(FilledCache cache) {
        return Lifecycle.load(Lifecycle.newEngine(cache.dir), module);
    }
}
