package dev.graft.benchmarks;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.benchmarks.Fixtures.QuoteLine;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.metering.FuelMetering;
import dev.graft.host.source.PluginSource;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What fuel metering costs, compiled mode, metered against unmetered in one run: a tight integer loop
 * and recursive fib (over i64 and over i32) on raw Chicory (the pass's own overhead), and typed JSON calls through Graft (an
 * echo, and the volume-discount sample plugin). Compare the two {@code metering} values of each
 * benchmark as a ratio; the fractal tree, metered and unmetered, is in {@link FractalTreeBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FuelOverheadBenchmark {

    @Param({"unmetered", "metered"})
    public String metering;

    private GlobalInstance fuel; // metered only
    private ExportFunction sumLoop;
    private ExportFunction fib;
    private ExportFunction fib32;
    private TypedCallBenchmark.Echo echo;
    private dev.graft.samples.contracts.PricingRule pricing;

    @Setup
    public void setUp() {
        boolean metered = metering.equals("metered");
        byte[] bytes = metered ? FuelMetering.instrument(Fixtures.BENCH_WASM, CostModel.defaults()) : Fixtures.BENCH_WASM;
        WasmModule module = Parser.parse(bytes);
        Instance instance = Instance.builder(module).withImportValues(TypedCallBenchmark.stubImports(module))
                .withMachineFactory(MachineFactoryCompiler.compile(module)).build();
        fuel = metered ? instance.exports().global(FuelMetering.FUEL_GLOBAL_EXPORT) : null;
        sumLoop = instance.export("sum_loop");
        fib = instance.export("fib");
        fib32 = instance.export("fib32");

        PluginPolicy policy = PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2)
                .fuel(metered ? PluginPolicy.DEFAULT_FUEL : 0).build();
        echo = Fixtures.ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("echo", Fixtures.BENCH_WASM))
                .policy(policy).extensionPoint(TypedCallBenchmark.Echo.class).build())
                .extension(TypedCallBenchmark.Echo.class);
        pricing = Fixtures.pricingRule(policy);
    }

    /** 100,000 iterations of a multiply, remainder and add. */
    @Benchmark
    public long tightLoop() {
        refuel();
        return sumLoop.apply(100_000)[0];
    }

    /** fib(25) over i64: about 250,000 calls of a function whose result is an i64. */
    @Benchmark
    public long recursiveFib() {
        refuel();
        return fib.apply(25)[0];
    }

    /** fib(25) over i32: the same calls, with an i32 result (the common case in wasm32 code). */
    @Benchmark
    public long recursiveFib32() {
        refuel();
        return fib32.apply(25)[0];
    }

    /**
     * Gives a metered call the default budget, as Graft does before every call. One budget set
     * once for all calls (an earlier version used Long.MAX_VALUE / 2) runs the counter's refill
     * from the reserve every 2^31 units, i.e. inside the measured loop every ~1,260 calls, and the
     * loop then measured +25 % to +37 % instead of +12 % to +17 % (same module, same JVM).
     */
    private void refuel() {
        if (fuel != null) {
            fuel.setValue(PluginPolicy.DEFAULT_FUEL);
        }
    }

    /** A typed call with about 200 bytes of JSON in and out. */
    @Benchmark
    public QuoteLine typedJsonCall() {
        return echo.roundTrip(Fixtures.LINE);
    }

    /** The volume-discount sample plugin's typed pricing call (about 260 bytes in, 190 out). */
    @Benchmark
    public java.util.List<dev.graft.samples.contracts.Adjustment> typedPricingCall() {
        return pricing.apply(Fixtures.PRICING_LINE);
    }
}
