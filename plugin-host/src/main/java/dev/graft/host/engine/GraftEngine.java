package dev.graft.host.engine;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.LoadLimits;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.abi.ExtismKernel;
import dev.graft.host.loading.CompileDeadline;
import dev.graft.host.loading.LoadBudget;
import dev.graft.host.metering.FuelMetering;
import dev.graft.host.source.PluginSource;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.LoggerFactory;

/**
 * The shared, compile-time half of Graft (like Wasmtime's {@code Engine}): parses and compiles each
 * module once per digest, keeps the result for every plugin that loads the same bytes, and optionally
 * persists compiled classes in a folder so a later start skips compilation. Thread-safe.
 *
 * <pre>{@code
 * GraftEngine engine = GraftEngine.create();
 * Plugin plugin = engine.load(PluginSpec.of(PluginSource.ofFile(Path.of("rules.wasm"))));
 * CallResult result = plugin.call("apply_rule", "{...}".getBytes(UTF_8));
 * }</pre>
 */
public final class GraftEngine {

    /**
     * Compiled modules by digest, mode and cost model, held weakly: a module stays while a loaded
     * plugin uses it, so reloading many versions does not grow the heap without bound.
     */
    private final Map<String, WeakReference<CompiledModule>> modules = new ConcurrentHashMap<>();
    private final List<CallListener> listeners = new CopyOnWriteArrayList<>();
    private final DirectoryCompileCache diskCache;

    private GraftEngine(Path compileCacheDirectory) {
        this.diskCache = compileCacheDirectory == null ? null : new DirectoryCompileCache(compileCacheDirectory);
    }

    /** An engine with an in-memory compile cache only. */
    public static GraftEngine create() {
        return new GraftEngine(null);
    }

    /** An engine that also persists compiled classes in {@code directory} (created when needed). */
    public static GraftEngine withCompileCache(Path directory) {
        return new GraftEngine(directory);
    }

    /**
     * Loads a plugin: reads and verifies the bytes (sha256 pin, then the signature against the spec's
     * {@linkplain PluginSpec#trust() trust policy}), checks what the module declares against the
     * policy's load budget, checks imports, memory and claimed extension points against the policy,
     * compiles (once per digest, within the compile timeout) and creates a trial instance under the
     * policy's timeout so that a failing start function refuses the plugin here rather than on its
     * first call.
     *
     * @throws PluginLoadException naming the plugin and the reason, for any refusal
     */
    public Plugin load(PluginSpec spec) {
        String id = spec.source().pluginId();
        PluginSource.Contents contents = spec.source().read(spec.policy().maxModuleBytes(), spec.trust().isActive());
        byte[] bytes = contents.bytes();
        // Trust first: no byte of an unverified module reaches the metering pass or the parser.
        String signedBy = verifyTrust(spec, contents);
        PluginPolicy policy = spec.policy();
        CompiledModule compiled = compile(id, bytes, policy.mode(), policy.fuel() > 0 ? policy.fuelCosts() : null,
                policy.loadLimits());
        return Plugin.create(spec, compiled, listeners, signedBy);
    }

    /** The name of the trusted key that signed the module, or {@code null}; refuses per the spec's trust policy. */
    private static String verifyTrust(PluginSpec spec, PluginSource.Contents contents) {
        List<String> claims = spec.extensionPoints().stream().map(GraftEngine::extensionPointId).toList();
        return spec.trust().check(spec.source().pluginId(), contents.bytes(), contents.signature().orElse(null), claims,
                spec.source().signatureLocation()).orElse(null);
    }

    private static String extensionPointId(Class<?> type) {
        ExtensionPoint point = type.getAnnotation(ExtensionPoint.class);
        return point != null ? point.id() : type.getName();
    }

    /**
     * Meters (when {@code fuelCosts} is set), parses and compiles module bytes, or returns the cached
     * result for the same digest, mode and cost model. Used by {@link #load} and by
     * {@code graft compile} to fill the persistent cache. Checks the default load budget.
     */
    public CompiledModule compile(String pluginId, byte[] bytes, ExecutionMode mode, CostModel fuelCosts) {
        return compile(pluginId, bytes, mode, fuelCosts, LoadLimits.defaults());
    }

    /**
     * Like {@link #compile(String, byte[], ExecutionMode, CostModel)} under {@code limits}: the
     * module's declared sizes are checked before anything parses it (on every call, cached or not,
     * since plugins sharing bytes may have different budgets), its custom sections are stripped,
     * and metering, parsing and compiling must finish within the compile timeout.
     *
     * @throws PluginLoadException naming the plugin and the limit, for any refusal
     */
    public CompiledModule compile(String pluginId, byte[] bytes, ExecutionMode mode, CostModel fuelCosts,
            LoadLimits limits) {
        byte[] checked = LoadBudget.check(pluginId, bytes, limits, mode != ExecutionMode.INTERPRETED);
        String sha256 = PluginSource.sha256Hex(bytes);
        String key = sha256 + "/" + mode + "/" + (fuelCosts == null ? "unmetered" : meteringKey(fuelCosts));
        WeakReference<CompiledModule> ref = modules.get(key);
        CompiledModule cached = ref == null ? null : ref.get();
        if (cached != null) {
            return cached;
        }
        // Compile outside the map's lock; two racing loads of one new module may both compile once.
        CompiledModule fresh = CompileDeadline.run(pluginId, limits.compileTimeout(), "metering, parsing and compiling",
                () -> parseAndCompile(pluginId, sha256, meter(pluginId, sha256, checked, fuelCosts), mode, fuelCosts));
        modules.values().removeIf(r -> r.get() == null);
        WeakReference<CompiledModule> raced = modules.putIfAbsent(key, new WeakReference<>(fresh));
        CompiledModule existing = raced == null ? null : raced.get();
        if (raced != null && existing == null) {
            modules.put(key, new WeakReference<>(fresh));
        }
        return existing != null ? existing : fresh;
    }

    private static String meteringKey(CostModel fuelCosts) {
        return FuelMetering.cacheKey(fuelCosts, ExtismKernel.FIXED_COST_FUNCTIONS);
    }

    /** The metered bytes: from the persisted cache when it holds them, else rewritten (and stored). */
    private byte[] meter(String pluginId, String sha256, byte[] bytes, CostModel fuelCosts) {
        if (fuelCosts == null) {
            return bytes;
        }
        String diskKey = diskCache == null ? null : DirectoryCompileCache.meteredKey(sha256, meteringKey(fuelCosts));
        byte[] cached = diskKey == null ? null : diskCache.read(diskKey);
        if (cached != null) {
            return cached;
        }
        try {
            // The kernel's fixed-cost functions are charged in Wasm; ImportLinker leaves them uncharged.
            byte[] metered = FuelMetering.instrument(bytes, fuelCosts, ExtismKernel.FIXED_COST_FUNCTIONS);
            if (diskKey != null) {
                diskCache.write(diskKey, metered);
            }
            return metered;
        } catch (RuntimeException | StackOverflowError e) {
            // The pass refuses what it cannot rewrite with IllegalArgumentException; anything else is a
            // malformed module all the same.
            throw new PluginLoadException(pluginId, "not a valid Wasm module, or one fuel metering cannot rewrite: "
                    + describe(e), e);
        }
    }

    private CompiledModule parseAndCompile(String pluginId, String sha256, byte[] bytes, ExecutionMode mode,
            CostModel fuelCosts) {
        WasmModule module;
        try {
            module = Parser.parse(bytes);
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            // Chicory checks some malformed input with assert statements, which fire when -ea is on.
            throw new PluginLoadException(pluginId, "not a valid Wasm module: " + describe(e), e);
        }
        if (mode == ExecutionMode.INTERPRETED) {
            return new CompiledModule(sha256, module, null, mode, fuelCosts);
        }
        try {
            MachineFactoryCompiler.Builder compiler = MachineFactoryCompiler.builder(module)
                    .withInterpreterFallback(InterpreterFallback.SILENT);
            JitSizeCheck jitCheck = JitSizeCheck.ifNeeded(diskCache);
            if (jitCheck != null) {
                compiler.withCache(jitCheck);
            } else if (diskCache != null) {
                compiler.withCache(diskCache);
            }
            CompiledModule compiled = new CompiledModule(sha256, module, compiler.compile(), mode, fuelCosts);
            if (jitCheck != null && !jitCheck.found().isEmpty()) {
                warnOversized(pluginId, jitCheck.found(), fuelCosts != null);
            }
            return compiled;
        } catch (RuntimeException | StackOverflowError e) {
            throw new PluginLoadException(pluginId, "module does not compile: " + describe(e), e);
        }
    }

    private static void warnOversized(String pluginId, List<JitSizeCheck.Oversized> found, boolean metered) {
        JitSizeCheck.Oversized largest = found.get(0);
        LoggerFactory.getLogger("graft.plugin." + pluginId).warn(String.format(Locale.ROOT,
                "plugin '%s': %d compiled function%s the JVM's %,d-byte limit for JIT compilation (largest: Wasm"
                        + " function %d, %,d bytes of bytecode%s) and will run in the JVM's bytecode interpreter,"
                        + " many times slower; start the JVM with -XX:-DontCompileHugeMethods",
                pluginId, found.size(), found.size() == 1 ? " exceeds" : "s exceed", JitSizeCheck.HUGE_METHOD_LIMIT,
                largest.function(), largest.bytecodeBytes(), metered ? ", fuel metering included" : ""));
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Registers a listener told about every call of every plugin this engine loads. */
    public void addCallListener(CallListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    public void removeCallListener(CallListener listener) {
        listeners.remove(listener);
    }

    List<CallListener> listeners() {
        return listeners;
    }

    /** Number of distinct compiled modules held (those still in use by a loaded plugin). */
    public int cachedModuleCount() {
        return (int) modules.values().stream().filter(r -> r.get() != null).count();
    }
}
