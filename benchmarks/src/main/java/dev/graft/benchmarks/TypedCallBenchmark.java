package dev.graft.benchmarks;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.benchmarks.Fixtures.QuoteLine;
import dev.graft.host.binding.JacksonPayloadCodec;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.extism.sdk.chicory.Manifest;
import org.extism.sdk.chicory.ManifestWasm;
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
 * A typed call with about 200 bytes of JSON in and out, side by side: plain Java with Jackson (the
 * same encode and decode, no plugin), Graft in its modes, raw Chicory moving the same bytes, and the
 * Extism Chicory SDK. The plugin is an echo, so every variant does the same work around the call and
 * the plugin's own work is negligible: the gap to raw Chicory is Graft's layer. Sample time, for p50.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TypedCallBenchmark {

    @ExtensionPoint(id = "echo")
    public interface Echo {
        @Export("echo")
        QuoteLine roundTrip(QuoteLine line);
    }

    private final JacksonPayloadCodec codec = new JacksonPayloadCodec();
    private Echo compiledPooled;
    private Echo compiledPooledUnmetered;
    private RawExtismKernel rawKernel;
    private Echo compiledFresh;
    private Echo interpretedPooled;
    private Instance raw;
    private ExportFunction rawCopy;
    private Memory rawMemory;
    private org.extism.sdk.chicory.Plugin extism;

    @Setup
    public void setUp() {
        GraftEngine engine = Fixtures.ENGINE;
        compiledPooled = graft(engine, PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2).build());
        compiledPooledUnmetered = graft(engine, PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2).fuel(0).build());
        compiledFresh = graft(engine, PluginPolicy.defaults());
        rawKernel = new RawExtismKernel(Fixtures.BENCH_WASM, "echo");
        interpretedPooled = graft(engine, PluginPolicy.builder().instances(InstanceMode.POOLED).poolSize(2)
                .mode(ExecutionMode.INTERPRETED).build());

        WasmModule module = Parser.parse(Fixtures.BENCH_WASM);
        raw = Instance.builder(module).withImportValues(stubImports(module))
                .withMachineFactory(MachineFactoryCompiler.compile(module)).build();
        rawCopy = raw.export("raw_copy");
        rawMemory = raw.memory();

        extism = org.extism.sdk.chicory.Plugin.ofManifest(Manifest.ofWasms(ManifestWasm.fromBytes(Fixtures.BENCH_WASM).build())
                .withOptions(new Manifest.Options().withAoT()).build()).build();
    }

    private static Echo graft(GraftEngine engine, PluginPolicy policy) {
        Plugin plugin = engine.load(PluginSpec.builder(PluginSource.ofBytes("echo", Fixtures.BENCH_WASM)).policy(policy)
                .extensionPoint(Echo.class).build());
        return plugin.extension(Echo.class);
    }

    /** The raw variant never calls the Extism imports; they only need to link. */
    static ImportValues stubImports(WasmModule module) {
        List<com.dylibso.chicory.runtime.ImportFunction> stubs = new ArrayList<>();
        for (int i = 0; i < module.importSection().importCount(); i++) {
            var imp = (com.dylibso.chicory.wasm.types.FunctionImport) module.importSection().getImport(i);
            stubs.add(new HostFunction(imp.module(), imp.name(), module.typeSection().getType(imp.typeIndex()),
                    (instance, args) -> {
                        throw new IllegalStateException("not linked in the raw benchmark");
                    }));
        }
        return ImportValues.builder().withFunctions(stubs).build();
    }

    @Benchmark
    public QuoteLine plainJavaJackson() throws Exception {
        return (QuoteLine) codec.decode(codec.encode(Fixtures.LINE), QuoteLine.class);
    }

    @Benchmark
    public QuoteLine graftCompiledPooled() {
        return compiledPooled.roundTrip(Fixtures.LINE);
    }

    /** Fuel 0: the same work as {@link #rawChicoryKernel}, so the difference is Graft's own layer. */
    @Benchmark
    public QuoteLine graftCompiledPooledUnmetered() {
        return compiledPooledUnmetered.roundTrip(Fixtures.LINE);
    }

    @Benchmark
    public QuoteLine graftCompiledFresh() {
        return compiledFresh.roundTrip(Fixtures.LINE);
    }

    @Benchmark
    public QuoteLine graftInterpretedPooled() {
        return interpretedPooled.roundTrip(Fixtures.LINE);
    }

    @Benchmark
    public QuoteLine rawChicory() throws Exception {
        byte[] in = codec.encode(Fixtures.LINE);
        rawMemory.write(1024, in);
        rawCopy.apply(1024, in.length, 8192);
        return (QuoteLine) codec.decode(rawMemory.readBytes(8192, in.length), QuoteLine.class);
    }

    /** The same echo export on raw Chicory with the minimal kernel: the same kernel calls as Graft's variants. */
    @Benchmark
    public QuoteLine rawChicoryKernel() throws Exception {
        return (QuoteLine) codec.decode(rawKernel.call(codec.encode(Fixtures.LINE)), QuoteLine.class);
    }

    @Benchmark
    public QuoteLine extismSdk() throws Exception {
        return (QuoteLine) codec.decode(extism.call("echo", codec.encode(Fixtures.LINE)), QuoteLine.class);
    }
}
