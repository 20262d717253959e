package dev.graft.benchmarks;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.LoadLimits;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.component.CanonicalAbi;
import dev.graft.host.component.ComponentParser;
import dev.graft.host.component.JavaBinding;
import dev.graft.host.component.WitType;
import dev.graft.host.engine.ClasspathCompileCache;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import dev.graft.samples.contracts.Adjustment;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.samples.contracts.QuoteLine;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * WebAssembly components against Extism plugins (issue 14's "Measure"), one line of output per figure:
 *
 * <ul>
 *   <li>{@code call}: a typed pricing call through {@code plugin.extension(PricingRule.class)}, compiled and
 *       pooled, on the component {@code pricing-rust} and on the Extism plugin {@code volume-discount} (the
 *       same rule), same line, paired and interleaved in one JVM ({@link PairedTimer});</li>
 *   <li>{@code abi}: the canonical-ABI layer against the JSON codec for the same values, paired: lowering a
 *       {@link QuoteLine} (Java record → WIT values → bytes in a plain Chicory memory, allocated by a bump
 *       {@code realloc} written in Java) and lifting the rule's {@code result<list<adjustment>, string>} back
 *       to a {@code List<Adjustment>}, against {@code JacksonPayloadCodec} encoding the line and decoding
 *       the adjustments' JSON. No guest code runs on either side;</li>
 *   <li>{@code js-fill DIR}: writes the classpath compile cache entries of the 12 MB JavaScript component
 *       {@code pricing-js} into {@code DIR} (the build step's cost) and prints the time and size;</li>
 *   <li>{@code js-tiered}: loads {@code pricing-js} tiered in a new engine (load budget, metering, parsing)
 *       and times its first call (interpreted, while the background compile runs);</li>
 *   <li>{@code js-classpath DIR [warm-up s] [rounds] [pooled|fresh]}: loads it with {@code DIR} on a class loader's path
 *       (every core module from the classpath cache), times the load and the first call, then the steady
 *       per-call time (compiled code: the classes of the entry are the ones a compile at load makes). Run it
 *       once plainly and once with {@code -XX:-DontCompileHugeMethods}: SpiderMonkey's interpreter loop
 *       becomes JVM methods larger than HotSpot's 8,000-byte JIT limit.</li>
 * </ul>
 *
 * <p>Run from the repository root ({@code pricing-js} is read from {@code sample-plugins/pricing-js/}):
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.graft.benchmarks.ComponentProbe call|abi [rounds] [sliceMillis] [warm-up slices]</pre>
 */
public final class ComponentProbe {

    /** The Rust pricing component (about 34 KB): the volume-discount rule behind the canonical ABI. */
    static final String PRICING_RUST = "plugins/pricing-rust/pricing-rust.wasm";
    /** The JavaScript pricing component (12 MB, SpiderMonkey), read from the working tree. */
    static final Path PRICING_JS = Path.of("sample-plugins/pricing-js/pricing-js.wasm");

    /** Where the timed loops leave their results, so that the JIT cannot drop the work. */
    private static volatile long sink;

    private ComponentProbe() {
    }

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "call";
        switch (what) {
            case "call" -> call(intArg(args, 1, 41), intArg(args, 2, 50), intArg(args, 3, 25)).forEach(System.out::println);
            case "abi" -> abi(intArg(args, 1, 41), intArg(args, 2, 50), intArg(args, 3, 25)).forEach(System.out::println);
            case "js-fill" -> jsFill(Path.of(args[1]));
            case "js-tiered" -> jsTiered();
            case "js-classpath" -> jsClasspath(Path.of(args[1]), intArg(args, 2, 30), intArg(args, 3, 5),
                    args.length > 4 ? InstanceMode.valueOf(args[4].toUpperCase(Locale.ROOT)) : InstanceMode.POOLED);
            default -> throw new IllegalArgumentException("usage: ComponentProbe call|abi|js-fill DIR|js-tiered"
                    + "|js-classpath DIR [warm-up seconds] [rounds] [pooled|fresh]");
        }
        // The tiered load leaves a background compile of the 12 MB module running: do not wait for it.
        System.exit(0);
    }

    private static int intArg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    // ---- a: component call vs Extism call ----

    /** The paired component and Extism calls; throws when the two rules answer any of 150 lines differently. */
    static List<String> call(int rounds, long sliceMillis, int warmups) {
        GraftEngine engine = GraftEngine.create();
        PluginPolicy policy = PluginPolicy.builder().mode(ExecutionMode.COMPILED).instances(InstanceMode.POOLED)
                .poolSize(1).build();
        PricingRule extism = rule(engine, "volume-discount", Fixtures.bytes(Fixtures.VOLUME_DISCOUNT), policy);
        PricingRule component = rule(engine, "pricing-rust", Fixtures.bytes(PRICING_RUST), policy);
        QuoteLine line = Fixtures.PRICING_LINE;
        List<Adjustment> expected = extism.apply(line);
        if (expected.isEmpty()) {
            throw new IllegalStateException("the probe's line gets no discount");
        }
        // Same rule, same answers: every tier of the benchmarks' lines, before anything is timed.
        for (QuoteLine l : Fixtures.pricingLines(150)) {
            if (!extism.apply(l).equals(component.apply(l))) {
                throw new IllegalStateException("the two rules disagree on " + l + ": " + extism.apply(l) + " vs "
                        + component.apply(l));
            }
        }
        Runnable viaExtism = () -> extism.apply(line);
        Runnable viaComponent = () -> component.apply(line);
        PairedTimer.warmUp(viaExtism, viaComponent, warmups, 200_000_000L);
        PairedTimer.Samples samples = PairedTimer.measure(viaExtism, viaComponent, rounds, sliceMillis * 1_000_000L);
        double[] ratios = samples.ratios();
        return List.of(String.format(Locale.ROOT,
                "component-call extismUs=%.2f (q1 %.2f, q3 %.2f) componentUs=%.2f (q1 %.2f, q3 %.2f)"
                        + " component/extism=%.3f (q1 %.3f, q3 %.3f) rounds=%d load=%s",
                PairedTimer.quantile(samples.first(), 0.5) / 1e3, PairedTimer.quantile(samples.first(), 0.25) / 1e3,
                PairedTimer.quantile(samples.first(), 0.75) / 1e3, PairedTimer.quantile(samples.second(), 0.5) / 1e3,
                PairedTimer.quantile(samples.second(), 0.25) / 1e3, PairedTimer.quantile(samples.second(), 0.75) / 1e3,
                PairedTimer.quantile(ratios, 0.5), PairedTimer.quantile(ratios, 0.25),
                PairedTimer.quantile(ratios, 0.75), rounds, load()));
    }

    private static PricingRule rule(GraftEngine engine, String id, byte[] bytes, PluginPolicy policy) {
        return engine.load(PluginSpec.builder(PluginSource.ofBytes(id, bytes)).policy(policy)
                .extensionPoint(PricingRule.class).build()).extension(PricingRule.class);
    }

    // ---- b: canonical ABI vs JSON codec ----

    /**
     * The paired canonical-ABI and JSON work, whole and in halves; throws when either round trip changes the
     * adjustments.
     */
    static List<String> abi(int rounds, long sliceMillis, int warmups) throws Exception {
        ComponentParser.FuncType type = ComponentParser.parse("pricing-rust", Fixtures.bytes(PRICING_RUST)).exports()
                .get("apply-rule").type();
        JavaBinding binding = JavaBinding.of(PricingRule.class.getMethod("apply", QuoteLine.class), "apply-rule", type);
        List<WitType> params = type.params().stream().map(WitType.Field::type).toList();
        WitType result = type.result();
        QuoteLine line = Fixtures.PRICING_LINE;
        List<Adjustment> adjustments = VolumeDiscountRule.apply(line);
        if (adjustments.isEmpty()) {
            throw new IllegalStateException("the probe's line gets no discount");
        }

        // A plain memory and a bump allocator; the heap is rewound after each lowering, as a fresh call would find it.
        Memory memory = new ByteArrayMemory(new MemoryLimits(2, 2));
        int[] heap = {0};
        ExportFunction bump = a -> {
            int align = (int) a[2];
            int p = (heap[0] + align - 1) / align * align;
            heap[0] = p + (int) a[3];
            return new long[] {p};
        };
        CanonicalAbi abi = new CanonicalAbi("pricing-rust", "apply-rule", memory, bump, 1 << 20, 1 << 20);
        CanonicalAbi.Layouts layouts = new CanonicalAbi.Layouts();
        // The rule's answer, written once into the memory as a guest would leave it: the result spilled behind a
        // pointer. Lowering the value as the first of six parameters (18 flat values > 16) stores them as a tuple
        // whose first field sits at the tuple's address, laid out exactly as the spilled result.
        Object witAnswer = new CanonicalAbi.CaseValue(0, adjustments.stream().map(a -> new Object[] {a.ruleId(),
                a.amount().toPlainString(), a.reason()}).toList());
        heap[0] = 32_768;
        long resultPtr = abi.lowerParams(Collections.nCopies(6, result), Collections.nCopies(6, witAnswer).toArray())[0];
        int lowerHeap = 16;
        @SuppressWarnings("unchecked")
        List<Adjustment> lifted = (List<Adjustment>) binding.lift("pricing-rust", abi.liftResult(result, new long[] {resultPtr}));
        if (!adjustments.equals(lifted)) {
            throw new IllegalStateException("the ABI round trip changed the adjustments: " + lifted);
        }
        byte[] adjustmentsJson = Fixtures.CODEC.encode(adjustments);
        if (!adjustments.equals(Fixtures.CODEC.decode(adjustmentsJson, Fixtures.ADJUSTMENTS))) {
            throw new IllegalStateException("the JSON round trip changed the adjustments");
        }
        Runnable json = () -> {
            try {
                byte[] in = Fixtures.CODEC.encode(line);
                Object out = Fixtures.CODEC.decode(adjustmentsJson, Fixtures.ADJUSTMENTS);
                sink += in.length + out.hashCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        Runnable canonical = () -> {
            // One CanonicalAbi per call, as the engine makes one (it counts the call's bytes against the limits),
            // with the layouts an instance keeps across its calls.
            CanonicalAbi perCall = new CanonicalAbi("pricing-rust", "apply-rule", memory, bump, 1 << 20, 1 << 20,
                    null, layouts);
            heap[0] = lowerHeap;
            long[] flat = perCall.lowerParams(params, binding.lower(new Object[] {line}));
            Object out = binding.lift("pricing-rust", perCall.liftResult(result, new long[] {resultPtr}));
            sink += flat.length + out.hashCode();
        };
        PairedTimer.warmUp(json, canonical, warmups, 200_000_000L);
        PairedTimer.Samples samples = PairedTimer.measure(json, canonical, rounds, sliceMillis * 1_000_000L);
        double[] ratios = samples.ratios();
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT,
                "component-abi jsonNs=%.0f (q1 %.0f, q3 %.0f) canonicalNs=%.0f (q1 %.0f, q3 %.0f)"
                        + " canonical/json=%.3f (q1 %.3f, q3 %.3f) jsonBytesIn=%d jsonBytesOut=%d rounds=%d load=%s",
                PairedTimer.quantile(samples.first(), 0.5), PairedTimer.quantile(samples.first(), 0.25),
                PairedTimer.quantile(samples.first(), 0.75), PairedTimer.quantile(samples.second(), 0.5),
                PairedTimer.quantile(samples.second(), 0.25), PairedTimer.quantile(samples.second(), 0.75),
                PairedTimer.quantile(ratios, 0.5), PairedTimer.quantile(ratios, 0.25), PairedTimer.quantile(ratios, 0.75),
                Fixtures.CODEC.encode(line).length, adjustmentsJson.length, rounds, load()));

        // Each half on its own: the line in (encode vs lower) and the adjustments out (decode vs lift).
        Runnable encode = () -> {
            try {
                sink += Fixtures.CODEC.encode(line).length;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        Runnable lower = () -> {
            CanonicalAbi perCall = new CanonicalAbi("pricing-rust", "apply-rule", memory, bump, 1 << 20, 1 << 20,
                    null, layouts);
            heap[0] = lowerHeap;
            sink += perCall.lowerParams(params, binding.lower(new Object[] {line})).length;
        };
        Runnable decode = () -> {
            try {
                sink += Fixtures.CODEC.decode(adjustmentsJson, Fixtures.ADJUSTMENTS).hashCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        Runnable lift = () -> {
            CanonicalAbi perCall = new CanonicalAbi("pricing-rust", "apply-rule", memory, bump, 1 << 20, 1 << 20,
                    null, layouts);
            sink += binding.lift("pricing-rust", perCall.liftResult(result, new long[] {resultPtr})).hashCode();
        };
        for (Runnable[] pair : new Runnable[][] {{encode, lower}, {decode, lift}}) {
            PairedTimer.warmUp(pair[0], pair[1], warmups / 2 + 1, 200_000_000L);
            PairedTimer.Samples half = PairedTimer.measure(pair[0], pair[1], rounds, sliceMillis * 1_000_000L);
            lines.add(String.format(Locale.ROOT, "component-abi-%s jsonNs=%.0f canonicalNs=%.0f ratio=%.3f"
                    + " rounds=%d load=%s", pair[0] == encode ? "in" : "out", PairedTimer.quantile(half.first(), 0.5),
                    PairedTimer.quantile(half.second(), 0.5), PairedTimer.quantile(half.ratios(), 0.5), rounds, load()));
        }
        return lines;
    }

    // ---- c: the large component's start ----

    /** Generous limits for SpiderMonkey: a 145-page memory, a long first call, a long metering pass. */
    static PluginPolicy jsPolicy(ExecutionMode mode, InstanceMode instances) {
        return PluginPolicy.builder().mode(mode).instances(instances).poolSize(1)
                .maxMemoryBytes(64L * 1024 * 1024).fuel(10_000_000_000L).timeout(Duration.ofSeconds(120))
                .loadLimits(LoadLimits.builder().compileTimeout(Duration.ofMinutes(10)).build()).build();
    }

    private static void jsFill(Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(PRICING_JS);
        long start = System.nanoTime();
        List<Path> entries = ClasspathCompileCache.writeAll(dir, "pricing-js", bytes, PluginPolicy.defaults().fuelCosts());
        long ms = (System.nanoTime() - start) / 1_000_000;
        long size;
        try (Stream<Path> files = Files.walk(dir)) {
            size = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
        System.out.println(String.format(Locale.ROOT, "component-js-fill ms=%d entries=%d entryBytes=%d load=%s", ms,
                entries.size(), size, load()));
    }

    /** The fuel of the last call an engine made, as its call listener saw it. */
    private static long[] fuelOfLastCall(GraftEngine engine) {
        long[] fuel = {-1};
        engine.addCallListener((plugin, export, outcome, stats, failure) -> fuel[0] = stats.fuelConsumed());
        return fuel;
    }

    private static void jsTiered() throws IOException {
        byte[] bytes = Files.readAllBytes(PRICING_JS);
        GraftEngine engine = GraftEngine.create();
        long[] fuel = fuelOfLastCall(engine);
        long start = System.nanoTime();
        Plugin plugin = engine.load(PluginSpec.builder(PluginSource.ofBytes("pricing-js", bytes))
                .policy(jsPolicy(ExecutionMode.TIERED, InstanceMode.POOLED)).extensionPoint(PricingRule.class).build());
        long loaded = System.nanoTime();
        ExecutionMode tier = plugin.executionTier();
        List<Adjustment> first = plugin.extension(PricingRule.class).apply(Fixtures.PRICING_LINE);
        long called = System.nanoTime();
        check(first);
        System.out.println(String.format(Locale.ROOT,
                "component-js-tiered loadMs=%d firstCallMs=%d untilFirstCallEndMs=%d tierAtLoad=%s firstCallFuel=%d load=%s",
                (loaded - start) / 1_000_000, (called - loaded) / 1_000_000, (called - start) / 1_000_000, tier,
                fuel[0], load()));
    }

    private static void jsClasspath(Path dir, int warmupSeconds, int rounds, InstanceMode instances) throws IOException {
        byte[] bytes = Files.readAllBytes(PRICING_JS);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                ComponentProbe.class.getClassLoader())) {
            GraftEngine engine = GraftEngine.builder().classpathCompileCache(loader).build();
            long[] fuel = fuelOfLastCall(engine);
            long start = System.nanoTime();
            Plugin plugin = engine.load(PluginSpec.builder(PluginSource.ofBytes("pricing-js", bytes))
                    .policy(jsPolicy(ExecutionMode.TIERED, instances)).extensionPoint(PricingRule.class).build());
            long loaded = System.nanoTime();
            if (plugin.executionTier() != ExecutionMode.COMPILED) {
                throw new IllegalStateException("pricing-js did not come from the classpath cache");
            }
            PricingRule rule = plugin.extension(PricingRule.class);
            List<Adjustment> first = rule.apply(Fixtures.PRICING_LINE);
            long called = System.nanoTime();
            check(first);
            long firstFuel = fuel[0];
            // Steady state: calls for the warm-up time, then rounds of 2-second slices, each its mean per call.
            QuoteLine line = Fixtures.PRICING_LINE;
            long warmEnd = System.nanoTime() + warmupSeconds * 1_000_000_000L;
            long warmCalls = 0;
            while (System.nanoTime() < warmEnd) {
                rule.apply(line);
                warmCalls++;
            }
            List<Double> slices = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                slices.add(PairedTimer.perOp(() -> rule.apply(line), 2_000_000_000L));
            }
            double[] perCall = slices.stream().mapToDouble(Double::doubleValue).toArray();
            boolean hugeJitted = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
                    .contains("-XX:-DontCompileHugeMethods");
            System.out.println(String.format(Locale.ROOT,
                    "component-js-classpath loadMs=%d firstCallMs=%d firstCallFuel=%d steadyUs=%.1f (min %.1f, max %.1f)"
                            + " warmUpCalls=%d rounds=%d instances=%s dontCompileHugeMethods=%s load=%s",
                    (loaded - start) / 1_000_000, (called - loaded) / 1_000_000, firstFuel, PairedTimer.quantile(perCall, 0.5) / 1e3,
                    PairedTimer.quantile(perCall, 0) / 1e3, PairedTimer.quantile(perCall, 1) / 1e3, warmCalls, rounds,
                    instances, !hugeJitted, load()));
        }
    }

    /** The JavaScript rule must answer the volume discount the Extism rule gives for the probe's line. */
    private static void check(List<Adjustment> answer) {
        if (answer.size() != 1 || answer.get(0).amount().signum() >= 0) {
            throw new IllegalStateException("pricing-js answered " + answer);
        }
    }

    /** The machine's load average over 1, 5 and 15 minutes, as {@code uptime} shows it. */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + "/" + f[1] + "/" + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
