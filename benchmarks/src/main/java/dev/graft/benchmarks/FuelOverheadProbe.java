package dev.graft.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fuel overhead as paired, interleaved ratios. The shared 2-core machines these benchmarks run on
 * switch between speeds for seconds at a time, so a metered JMH iteration and the unmetered one
 * measured a minute later can differ by 50 % for reasons that have nothing to do with fuel. Here
 * each round times the unmetered and the metered variant of a workload back to back (in
 * alternating order) for a short slice each (50 ms by default: short enough that most pairs fall
 * in one speed phase), and the report is the median of the per-round ratios, with the quartiles as
 * its spread. The JIT may compile the same code differently in another JVM (the unmetered tight loop
 * alone has run at both 180 and 370 µs) and after other workloads ran in the same JVM, so
 * {@code run.sh} measures each workload on its own in several fresh JVMs, as JMH forks do, and
 * {@link ReportWriter} reports the median over them with the lowest and highest.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.graft.benchmarks.FuelOverheadProbe [rounds] [sliceMillis] [all|workload,...] [warm-up slices]</pre>
 *
 * Prints one line per workload: {@code fuel workload=... ratio=... q1=... q3=... unmeteredNs=...
 * meteredNs=... rounds=... jvmWorkloads=...} (how many workloads shared the JVM), which
 * {@link ReportWriter} turns into a table.
 */
public final class FuelOverheadProbe {

    private record Workload(String name, Runnable unmetered, Runnable metered) {
    }

    private static final long WARM_UP_SLICE_NANOS = 200_000_000L;

    private FuelOverheadProbe() {
    }

    /** The workloads, in the order {@link #run} measures them. */
    static final List<String> WORKLOADS = List.of("tightLoop", "recursiveFib32", "recursiveFib", "typedJsonCall",
            "typedPricingCall", "fractalTree");

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 41;
        long sliceMillis = args.length > 1 ? Long.parseLong(args[1]) : 50;
        List<String> names = args.length > 2 && !args[2].equals("all") ? List.of(args[2].split(",")) : WORKLOADS;
        // By default 25 slices of 200 ms, i.e. 5 s of calls per variant before timing: a pricing call
        // through compiled Chicory needs about 4 s on 2 cores before C2 has settled (docs/benchmarks.md).
        int warmups = args.length > 3 ? Integer.parseInt(args[3]) : 25;
        run(rounds, sliceMillis, warmups, names).forEach(System.out::println);
    }

    /** Runs every workload: {@code warmups} slices of each variant, then {@code rounds} timed pairs. */
    static List<String> run(int rounds, long sliceMillis, int warmups) {
        return run(rounds, sliceMillis, warmups, WORKLOADS);
    }

    /** Runs the named workloads (see {@link #WORKLOADS}) like {@link #run(int, long, int)}. */
    static List<String> run(int rounds, long sliceMillis, int warmups, List<String> names) {
        if (!WORKLOADS.containsAll(names)) {
            throw new IllegalArgumentException("unknown workload in " + names + "; known: " + WORKLOADS);
        }
        long sliceNanos = sliceMillis * 1_000_000L;
        FuelOverheadBenchmark u = overhead("unmetered");
        FuelOverheadBenchmark m = overhead("metered");
        FractalTreeBenchmark tree = new FractalTreeBenchmark();
        tree.setUp();
        List<Workload> workloads = List.of(
                new Workload("tightLoop", u::tightLoop, m::tightLoop),
                new Workload("recursiveFib32", u::recursiveFib32, m::recursiveFib32),
                new Workload("recursiveFib", u::recursiveFib, m::recursiveFib),
                new Workload("typedJsonCall", u::typedJsonCall, m::typedJsonCall),
                new Workload("typedPricingCall", u::typedPricingCall, m::typedPricingCall),
                new Workload("fractalTree", tree::pluginUnmetered, tree::pluginMetered))
                .stream().filter(w -> names.contains(w.name)).toList();
        for (Workload w : workloads) { // warm-up: both variants compiled by the JIT before timing
            PairedTimer.warmUp(w.unmetered, w.metered, warmups, WARM_UP_SLICE_NANOS);
        }
        List<String> lines = new ArrayList<>();
        for (Workload w : workloads) {
            PairedTimer.Samples samples = PairedTimer.measure(w.unmetered, w.metered, rounds, sliceNanos);
            double[] ratios = samples.ratios();
            double[] plain = samples.first();
            double[] fuel = samples.second();
            lines.add(String.format(Locale.ROOT,
                    "fuel workload=%s ratio=%.4f q1=%.4f q3=%.4f unmeteredNs=%.1f meteredNs=%.1f rounds=%d jvmWorkloads=%d",
                    w.name, PairedTimer.quantile(ratios, 0.5), PairedTimer.quantile(ratios, 0.25), PairedTimer.quantile(ratios, 0.75),
                    PairedTimer.quantile(plain, 0.5), PairedTimer.quantile(fuel, 0.5), rounds, workloads.size()));
        }
        return lines;
    }

    private static FuelOverheadBenchmark overhead(String metering) {
        FuelOverheadBenchmark b = new FuelOverheadBenchmark();
        b.metering = metering;
        b.setUp();
        return b;
    }
}
