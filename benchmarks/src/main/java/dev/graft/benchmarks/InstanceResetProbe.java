package dev.graft.benchmarks;

import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import dev.graft.samples.contracts.PricingRule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The price of {@code instances: fresh} against {@code pooled}, paired and interleaved in one JVM as
 * in {@link FuelOverheadProbe}: each round times a call on a fresh-mode plugin (an instance reset to
 * its state after instantiation between calls) and on a pooled one (the instance kept as the call
 * left it), back to back in alternating order, and reports the median ratio with its quartiles.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.graft.benchmarks.InstanceResetProbe [rounds] [sliceMillis] [warm-up slices]</pre>
 *
 * Run from the repository root ({@code examples/hello-as/hello.wasm} is read from there). Prints
 * {@code fresh workload=... ratio=... q1=... q3=... pooledNs=... freshNs=... rounds=...}.
 */
public final class InstanceResetProbe {

    private record Workload(String name, Runnable pooled, Runnable fresh) {
    }

    private InstanceResetProbe() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 41;
        long sliceMillis = args.length > 1 ? Long.parseLong(args[1]) : 50;
        int warmups = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        GraftEngine engine = GraftEngine.create();
        List<Workload> workloads = new ArrayList<>();

        PricingRule pooledRule = Fixtures.pricingRule(policy(InstanceMode.POOLED));
        PricingRule freshRule = Fixtures.pricingRule(policy(InstanceMode.FRESH));
        workloads.add(new Workload("pricing", () -> pooledRule.apply(Fixtures.PRICING_LINE),
                () -> freshRule.apply(Fixtures.PRICING_LINE)));

        byte[] hello = Files.readAllBytes(Path.of("examples/hello-as/hello.wasm"));
        Plugin pooledHello = hello(engine, hello, InstanceMode.POOLED);
        Plugin freshHello = hello(engine, hello, InstanceMode.FRESH);
        byte[] input = "Hello, World! Grüß dich, Zoë".getBytes(StandardCharsets.UTF_8);
        workloads.add(new Workload("hello-as", () -> pooledHello.call("count_vowels", input),
                () -> freshHello.call("count_vowels", input)));

        for (Workload w : workloads) {
            PairedTimer.warmUp(w.pooled, w.fresh, warmups, 200_000_000L);
        }
        long sliceNanos = sliceMillis * 1_000_000L;
        for (Workload w : workloads) {
            PairedTimer.Samples samples = PairedTimer.measure(w.pooled, w.fresh, rounds, sliceNanos);
            double[] ratios = samples.ratios();
            double[] pooled = samples.first();
            double[] fresh = samples.second();
            System.out.println(String.format(Locale.ROOT,
                    "fresh workload=%s ratio=%.4f q1=%.4f q3=%.4f pooledNs=%.1f freshNs=%.1f rounds=%d",
                    w.name, PairedTimer.quantile(ratios, 0.5), PairedTimer.quantile(ratios, 0.25),
                    PairedTimer.quantile(ratios, 0.75), PairedTimer.quantile(pooled, 0.5),
                    PairedTimer.quantile(fresh, 0.5), rounds));
        }
    }

    /** Compiled from the start (no tier switch during the measurement), default fuel, one instance. */
    private static PluginPolicy policy(InstanceMode instances) {
        return PluginPolicy.builder().mode(ExecutionMode.COMPILED).instances(instances).poolSize(1).build();
    }

    private static Plugin hello(GraftEngine engine, byte[] bytes, InstanceMode instances) {
        return engine.load(PluginSpec.builder(PluginSource.ofBytes("hello", bytes)).policy(policy(instances)).build());
    }
}
