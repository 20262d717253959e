package dev.graft.benchmarks;

import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.samples.contracts.Adjustment;
import dev.graft.samples.contracts.PricingRule;
import java.util.List;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Typed pricing calls per second on two threads sharing one {@link PricingRule} (the typed proxy is
 * thread-safe; each call runs on its own instance), against the plain-Java baseline on two threads and
 * both on one thread for scaling. The Extism SDK is absent: its plugin is not thread-safe.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ThroughputBenchmark {

    /** One typed rule shared by the benchmark's threads, pool of 2. */
    @State(Scope.Benchmark)
    public static class Pooled {
        PricingRule rule;

        @Setup
        public void setUp() {
            rule = Fixtures.pricingRule(PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2).build());
        }
    }

    @State(Scope.Benchmark)
    public static class Fresh {
        PricingRule rule;

        @Setup
        public void setUp() {
            rule = Fixtures.pricingRule(PluginPolicy.defaults());
        }
    }

    @Benchmark
    @Threads(1)
    public List<Adjustment> plainJavaJackson1Thread() throws Exception {
        return Fixtures.javaWithJackson(Fixtures.PRICING_LINE);
    }

    @Benchmark
    @Threads(2)
    public List<Adjustment> plainJavaJackson2Threads() throws Exception {
        return Fixtures.javaWithJackson(Fixtures.PRICING_LINE);
    }

    @Benchmark
    @Threads(1)
    public List<Adjustment> graftPooled1Thread(Pooled s) {
        return s.rule.apply(Fixtures.PRICING_LINE);
    }

    @Benchmark
    @Threads(2)
    public List<Adjustment> graftPooled2Threads(Pooled s) {
        return s.rule.apply(Fixtures.PRICING_LINE);
    }

    @Benchmark
    @Threads(2)
    public List<Adjustment> graftFresh2Threads(Fresh s) {
        return s.rule.apply(Fixtures.PRICING_LINE);
    }
}
