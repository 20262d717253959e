package dev.graft.benchmarks;

import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.samples.contracts.Adjustment;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.samples.contracts.QuoteLine;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Pricing 10,000 quote lines. The sample pricing plugins price one line per call (the
 * {@code pricing-rule} contract takes one {@code QuoteLine}), so this is 10,000 sequential typed calls
 * of {@code volume-discount} (compiled, pooled, metered with the default budget per call) against the
 * same rule in plain Java over the same 10,000 lines, with and without the Jackson round trips.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PricingBatchBenchmark {

    static final int LINES = 10_000;

    private final List<QuoteLine> lines = Fixtures.pricingLines(LINES);

    /** Each variant's own state, so a fork loads only the plugin it measures. */
    @State(Scope.Benchmark)
    public static class Metered {
        PricingRule rule;

        @Setup
        public void setUp() {
            rule = Fixtures.pricingRule(PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2).build());
        }
    }

    @State(Scope.Benchmark)
    public static class Unmetered {
        PricingRule rule;

        @Setup
        public void setUp() {
            rule = Fixtures.pricingRule(PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2).fuel(0).build());
        }
    }

    @Benchmark
    public void plainJavaDirect(Blackhole bh) {
        for (QuoteLine line : lines) {
            bh.consume(VolumeDiscountRule.apply(line));
        }
    }

    /** The baseline: the rule in Java with the same JSON round trips as a typed call, per line. */
    @Benchmark
    public void plainJavaJackson(Blackhole bh) throws Exception {
        for (QuoteLine line : lines) {
            bh.consume(Fixtures.javaWithJackson(line));
        }
    }

    @Benchmark
    public void graftCompiledPooled(Metered s, Blackhole bh) {
        for (QuoteLine line : lines) {
            List<Adjustment> a = s.rule.apply(line);
            bh.consume(a);
        }
    }

    @Benchmark
    public void graftCompiledPooledUnmetered(Unmetered s, Blackhole bh) {
        for (QuoteLine line : lines) {
            bh.consume(s.rule.apply(line));
        }
    }
}
