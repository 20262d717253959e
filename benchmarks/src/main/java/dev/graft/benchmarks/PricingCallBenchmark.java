package dev.graft.benchmarks;

import dev.graft.api.policy.ExecutionMode;
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

/**
 * One typed pricing call with the real {@code volume-discount} sample plugin (Rust), about 260 bytes of
 * JSON in and 190 out, side by side: plain Java (the same rule ported, with and without the Jackson
 * round trips), Graft's typed {@link PricingRule} in its modes, raw Chicory running the same module
 * with a minimal kernel ({@link RawExtismKernel}) and the same Jackson work, and the Extism Chicory
 * SDK's {@code Plugin.call}. Sample time, so the report has p50 as well as the mean. Each variant has
 * a state of its own, so a fork loads only the plugin it measures (several plugins loaded side by side
 * in one JVM slowed the measured one down by half in an earlier layout).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PricingCallBenchmark {

    private static final QuoteLine LINE = Fixtures.PRICING_LINE;

    @State(Scope.Benchmark)
    public static class CompiledPooled {
        PricingRule rule;

        @Setup
        public void setUp() {
            rule = Fixtures.pricingRule(PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2).build());
        }
    }

    @State(Scope.Benchmark)
    public static class CompiledPooledUnmetered {
        PricingRule rule;

        @Setup
        public void setUp() {
            rule = Fixtures.pricingRule(PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2).fuel(0).build());
        }
    }

    @State(Scope.Benchmark)
    public static class CompiledFresh {
        PricingRule rule;

        @Setup
        public void setUp() {
            rule = Fixtures.pricingRule(PluginPolicy.defaults());
        }
    }

    @State(Scope.Benchmark)
    public static class InterpretedPooled {
        PricingRule rule;

        @Setup
        public void setUp() {
            rule = Fixtures.pricingRule(PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2)
                    .mode(ExecutionMode.INTERPRETED).build());
        }
    }

    @State(Scope.Benchmark)
    public static class Raw {
        RawExtismKernel kernel;

        @Setup
        public void setUp() {
            kernel = new RawExtismKernel(Fixtures.bytes(Fixtures.VOLUME_DISCOUNT), "apply_rule");
        }
    }

    @State(Scope.Benchmark)
    public static class ExtismSdk {
        org.extism.sdk.chicory.Plugin plugin;

        @Setup
        public void setUp() {
            plugin = Fixtures.extismSdk(Fixtures.bytes(Fixtures.VOLUME_DISCOUNT));
        }
    }

    /** The rule in Java on the objects: no JSON at all. */
    @Benchmark
    public List<Adjustment> plainJavaDirect() {
        return VolumeDiscountRule.apply(LINE);
    }

    /** The rule in Java with the same Jackson encode and decode, both ways, that a typed call does: the baseline. */
    @Benchmark
    public List<Adjustment> plainJavaJackson() throws Exception {
        return Fixtures.javaWithJackson(LINE);
    }

    @Benchmark
    public List<Adjustment> graftCompiledPooled(CompiledPooled s) {
        return s.rule.apply(LINE);
    }

    /** Fuel 0: the same work as the raw variant, so the difference is Graft's own layer. */
    @Benchmark
    public List<Adjustment> graftCompiledPooledUnmetered(CompiledPooledUnmetered s) {
        return s.rule.apply(LINE);
    }

    @Benchmark
    public List<Adjustment> graftCompiledFresh(CompiledFresh s) {
        return s.rule.apply(LINE);
    }

    @Benchmark
    public List<Adjustment> graftInterpretedPooled(InterpretedPooled s) {
        return s.rule.apply(LINE);
    }

    @SuppressWarnings("unchecked")
    @Benchmark
    public List<Adjustment> rawChicory(Raw s) throws Exception {
        return (List<Adjustment>) Fixtures.CODEC.decode(s.kernel.call(Fixtures.CODEC.encode(LINE)), Fixtures.ADJUSTMENTS);
    }

    @SuppressWarnings("unchecked")
    @Benchmark
    public List<Adjustment> extismSdk(ExtismSdk s) throws Exception {
        return (List<Adjustment>) Fixtures.CODEC.decode(s.plugin.call("apply_rule", Fixtures.CODEC.encode(LINE)),
                Fixtures.ADJUSTMENTS);
    }
}
