package dev.graft.benchmarks;

import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.util.List;
import java.util.Locale;

/**
 * Graft's own layer above raw Chicory, paired and interleaved in one JVM as in
 * {@link FuelOverheadProbe}: each round times an unmetered, pooled, compiled {@code Plugin.call} and
 * the same export on raw Chicory with the minimal {@link RawExtismKernel}, on the same input bytes
 * (no JSON on either side), back to back in alternating order. Reports the median of the per-round
 * differences (Graft minus raw, the layer) and ratios, with quartiles.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.graft.benchmarks.GraftLayerProbe [rounds] [sliceMillis] [warm-up slices]</pre>
 */
public final class GraftLayerProbe {

    private record Workload(String name, Runnable graft, Runnable raw) {
    }

    private GraftLayerProbe() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 41;
        long sliceMillis = args.length > 1 ? Long.parseLong(args[1]) : 50;
        int warmups = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        GraftEngine engine = GraftEngine.create();
        PluginPolicy policy = PluginPolicy.builder().mode(ExecutionMode.COMPILED).instances(InstanceMode.POOLED)
                .poolSize(1).fuel(0).build();

        byte[] echoInput = Fixtures.CODEC.encode(Fixtures.LINE);
        Plugin echo = engine.load(PluginSpec.builder(PluginSource.ofBytes("echo", Fixtures.BENCH_WASM)).policy(policy).build());
        RawExtismKernel rawEcho = new RawExtismKernel(Fixtures.BENCH_WASM, "echo");

        byte[] pricingWasm = Fixtures.bytes(Fixtures.VOLUME_DISCOUNT);
        byte[] pricingInput = Fixtures.CODEC.encode(Fixtures.PRICING_LINE);
        Plugin pricing = engine.load(PluginSpec.builder(PluginSource.ofBytes("volume-discount", pricingWasm)).policy(policy).build());
        RawExtismKernel rawPricing = new RawExtismKernel(pricingWasm, "apply_rule");
        if (!java.util.Arrays.equals(pricing.call("apply_rule", pricingInput).output(), rawPricing.call(pricingInput))) {
            throw new IllegalStateException("Graft and raw Chicory disagree on the pricing output");
        }

        // The same module's no-op export: Graft's fixed cost per call, without any kernel call.
        RawExtismKernel rawNoop = new RawExtismKernel(Fixtures.BENCH_WASM, "noop");
        byte[] empty = new byte[0];
        // One watchdog timer, started and finished, against nothing: one part of the fixed cost.
        long timeout = policy.timeout().toNanos();
        Runnable nothing = () -> { };
        Runnable watchdog = () -> dev.graft.host.policy.Watchdog.shared().start(timeout).finish();

        List<Workload> workloads = List.of(
                new Workload("noop", () -> echo.call("noop", empty), () -> rawNoop.call(empty)),
                new Workload("watchdog", watchdog, nothing),
                new Workload("echo", () -> echo.call("echo", echoInput), () -> rawEcho.call(echoInput)),
                new Workload("pricing", () -> pricing.call("apply_rule", pricingInput), () -> rawPricing.call(pricingInput)));
        for (Workload w : workloads) {
            PairedTimer.warmUp(w.graft, w.raw, warmups, 200_000_000L);
        }
        long sliceNanos = sliceMillis * 1_000_000L;
        for (Workload w : workloads) {
            PairedTimer.Samples samples = PairedTimer.measure(w.raw, w.graft, rounds, sliceNanos);
            double[] raw = samples.first();
            double[] graft = samples.second();
            double[] layer = samples.differences();
            double[] ratios = samples.ratios();
            System.out.println(String.format(Locale.ROOT,
                    "layer workload=%s layerNs=%.1f q1=%.1f q3=%.1f ratio=%.4f graftNs=%.1f rawNs=%.1f rounds=%d",
                    w.name, PairedTimer.quantile(layer, 0.5), PairedTimer.quantile(layer, 0.25),
                    PairedTimer.quantile(layer, 0.75), PairedTimer.quantile(ratios, 0.5),
                    PairedTimer.quantile(graft, 0.5), PairedTimer.quantile(raw, 0.5), rounds));
        }
    }
}
