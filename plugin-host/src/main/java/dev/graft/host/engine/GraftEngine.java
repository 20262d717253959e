package dev.graft.host.engine;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.OpCode;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.LoadLimits;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.abi.ExtismKernel;
import dev.graft.host.component.ComponentParser;
import dev.graft.host.component.ComponentPlan;
import dev.graft.host.loading.CompileDeadline;
import dev.graft.host.loading.LoadBudget;
import dev.graft.host.metering.FuelMetering;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final ClasspathCompileCache classpathCache;
    private final int compilerThreads;
    /** Runs the background compiles of tiered modules, at most {@link #compilerThreads} at a time. */
    private final Executor compiler;

    private GraftEngine(Builder builder) {
        Path directory = builder.compileCache;
        this.diskCache = directory == null ? null : new DirectoryCompileCache(directory);
        this.classpathCache = builder.classpathCache;
        this.compilerThreads = builder.compilerThreads;
        this.compiler = builder.compilerExecutor != null ? builder.compilerExecutor
                : compilerPool(builder.compilerThreads);
    }

    /** An engine with an in-memory compile cache only and one background compiler thread. */
    public static GraftEngine create() {
        return builder().build();
    }

    /** An engine that also persists compiled classes in {@code directory} (created when needed). */
    public static GraftEngine withCompileCache(Path directory) {
        return builder().compileCache(directory).build();
    }

    /** A builder for an engine with non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a {@link GraftEngine}. */
    public static final class Builder {

        /** The number of background compiler threads when none is set. */
        public static final int DEFAULT_COMPILER_THREADS = 1;

        private Path compileCache;
        private ClasspathCompileCache classpathCache;
        private int compilerThreads = DEFAULT_COMPILER_THREADS;
        private Executor compilerExecutor;

        private Builder() {
        }

        /** Persists compiled classes and metered bytes in {@code directory} ({@code null}: memory only). */
        public Builder compileCache(Path directory) {
            this.compileCache = directory;
            return this;
        }

        /**
         * Looks for modules compiled at build time ({@code graft compile --classpath-output}) among the
         * resources of {@code loader} under {@link ClasspathCompileCache#ROOT} before metering, parsing or
         * compiling a module in compiled or tiered mode ({@code null}: no classpath cache, the default).
         * Asked before the {@linkplain #compileCache directory cache}; an entry that does not match this
         * Graft, this Chicory, the module's bytes and its cost model is ignored with a warning.
         */
        public Builder classpathCompileCache(ClassLoader loader) {
            this.classpathCache = loader == null ? null : ClasspathCompileCache.on(loader);
            return this;
        }

        /** Uses {@code cache} as the classpath cache (tests: its warnings go where they choose). */
        Builder classpathCompileCache(ClasspathCompileCache cache) {
            this.classpathCache = cache;
            return this;
        }

        /**
         * How many tiered modules compile in the background at once (default 1): each compile keeps a
         * core busy for up to a second, so more threads start more plugins compiled sooner at the cost
         * of the application's own start.
         */
        public Builder compilerThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("compiler threads must be at least 1, was " + threads);
            }
            this.compilerThreads = threads;
            return this;
        }

        /** Runs background compiles on {@code executor} instead of the engine's own threads (tests). */
        Builder compilerExecutor(Executor executor) {
            this.compilerExecutor = executor;
            return this;
        }

        public GraftEngine build() {
            return new GraftEngine(this);
        }
    }

    /**
     * Daemon threads of low priority that end when idle, so an engine nobody uses holds no thread
     * and a compile never competes on equal terms with the application's calls.
     */
    private static Executor compilerPool(int threads) {
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, "graft-compiler-" + counter.incrementAndGet());
            thread.setDaemon(true);
            thread.setPriority(Thread.NORM_PRIORITY - 1);
            return thread;
        };
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** How many modules compile in the background at once. */
    public int compilerThreads() {
        return compilerThreads;
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
        if (ComponentParser.isComponent(bytes)) {
            return Plugin.createComponent(spec, compileComponent(spec, bytes), listeners, signedBy);
        }
        CompiledModule compiled = compile(id, bytes, policy.mode(), policy.fuel() > 0 ? policy.fuelCosts() : null,
                policy.loadLimits());
        return Plugin.create(spec, compiled, listeners, signedBy);
    }

    /**
     * Parses a component (refusing what Graft does not run), meters, checks and compiles each of its core
     * modules exactly as a plugin's module (load budget, fuel metering, compile timeout, compile cache),
     * and satisfies each of its function imports with a host function the policy grants.
     */
    private ComponentPlan compileComponent(PluginSpec spec, byte[] bytes) {
        String id = spec.source().pluginId();
        PluginPolicy policy = spec.policy();
        ComponentParser.Parsed parsed = ComponentParser.parse(id, bytes);
        List<CompiledModule> modules = new java.util.ArrayList<>();
        for (int i = 0; i < parsed.coreModules().size(); i++) {
            try {
                modules.add(compile(id, parsed.coreModules().get(i), policy.mode(),
                        policy.fuel() > 0 ? policy.fuelCosts() : null, policy.loadLimits()));
            } catch (PluginLoadException e) {
                String reason = e.getMessage();
                int at = reason.indexOf("refused at load: ");
                throw new PluginLoadException(id, "core module " + i + " of the component: "
                        + (at < 0 ? reason : reason.substring(at + "refused at load: ".length())), e);
            }
        }
        return ComponentPlan.create(id, PluginSource.sha256Hex(bytes), parsed, modules, policy.capabilities(),
                spec.hostFunctions());
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
        String metering = fuelCosts == null ? "unmetered" : meteringKey(fuelCosts);
        String key = sha256 + "/" + mode + "/" + metering;
        if (mode == ExecutionMode.TIERED) {
            // A module some plugin already loaded compiled serves a tiered plugin compiled at once.
            CompiledModule compiled = cached(sha256 + "/" + ExecutionMode.COMPILED + "/" + metering);
            if (compiled != null) {
                return compiled;
            }
        }
        CompiledModule cached = cached(key);
        if (cached != null) {
            return cached;
        }
        // Compile outside the map's lock; two racing loads of one new module may both compile once.
        CompiledModule fresh = mode == ExecutionMode.TIERED
                ? CompileDeadline.run(pluginId, limits.compileTimeout(), "metering and parsing", () -> {
                    CompiledModule prebuilt = fromClasspath(pluginId, sha256, mode, fuelCosts);
                    return prebuilt != null ? prebuilt
                            : parseForTiers(pluginId, sha256, meter(pluginId, sha256, checked, fuelCosts), fuelCosts);
                })
                : CompileDeadline.run(pluginId, limits.compileTimeout(), "metering, parsing and compiling", () -> {
                    CompiledModule prebuilt = fromClasspath(pluginId, sha256, mode, fuelCosts);
                    return prebuilt != null ? prebuilt
                            : parseAndCompile(pluginId, sha256, meter(pluginId, sha256, checked, fuelCosts), mode,
                                    fuelCosts);
                });
        CompiledModule result = remember(key, fresh);
        if (result == fresh && fresh.machineFactory() == null && mode == ExecutionMode.TIERED) {
            compileInBackground(pluginId, fresh, limits);
        }
        return result;
    }

    private CompiledModule cached(String key) {
        WeakReference<CompiledModule> ref = modules.get(key);
        return ref == null ? null : ref.get();
    }

    /** Keeps {@code fresh} under {@code key} unless a racing load kept another first; returns the kept one. */
    private CompiledModule remember(String key, CompiledModule fresh) {
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

    /**
     * The module from the classpath cache, compiled at build time, or {@code null} when there is no
     * usable entry (never for interpreted mode, which needs every function body). The entry's module
     * has its compiled bodies stubbed out, so it must never run in the interpreter: it always comes
     * with its machine factory.
     */
    private CompiledModule fromClasspath(String pluginId, String sha256, ExecutionMode mode, CostModel fuelCosts) {
        if (classpathCache == null || mode == ExecutionMode.INTERPRETED) {
            return null;
        }
        ClasspathCompileCache.Entry entry = classpathCache.find(pluginId, sha256,
                fuelCosts == null ? null : meteringKey(fuelCosts));
        if (entry == null) {
            return null;
        }
        try {
            WasmModule module = Parser.parse(entry.module());
            var factory = entry.machineFactory();
            JitSizeCheck jitCheck = JitSizeCheck.ifNeeded(entry.asChicoryCache());
            if (jitCheck != null) {
                jitCheck.get(module.digest()); // reads the method sizes from the entry's jar
                if (!jitCheck.found().isEmpty()) {
                    warnOversized(pluginId, jitCheck.found(), fuelCosts != null);
                }
            }
            return new CompiledModule(sha256, module, factory, mode, fuelCosts, true);
        } catch (IOException | ReflectiveOperationException | RuntimeException | LinkageError | AssertionError e) {
            // A module that does not parse, a jar that does not read, a class the JVM refuses.
            classpathCache.ignore(pluginId, entry.path(), "it does not load: " + describe(e));
            return null;
        }
    }

    private static WasmModule parse(String pluginId, byte[] bytes) {
        try {
            return Parser.parse(bytes);
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            // Chicory checks some malformed input with assert statements, which fire when -ea is on.
            throw new PluginLoadException(pluginId, "not a valid Wasm module: " + describe(e), e);
        }
    }

    /**
     * The first tier of a tiered module: parsed (and metered) only, unless the persisted cache holds
     * its compiled classes, in which case loading them is cheap and the module starts compiled.
     */
    private CompiledModule parseForTiers(String pluginId, String sha256, byte[] bytes, CostModel fuelCosts) {
        WasmModule module = parse(pluginId, bytes);
        if ((diskCache != null && diskCache.read(module.digest()) != null) || usesTailCalls(module)) {
            return compileParsed(pluginId, sha256, module, ExecutionMode.TIERED, fuelCosts);
        }
        return new CompiledModule(sha256, module, null, ExecutionMode.TIERED, fuelCosts);
    }

    /**
     * Whether any function makes a tail call. Chicory's interpreter runs tail calls in constant stack
     * while its compiler turns them into call + return, so a deep tail recursion that succeeds in the
     * interpreter exhausts the stack compiled: for such a module the switch would be visible, and it
     * loads compiled from the start instead.
     */
    private static boolean usesTailCalls(WasmModule module) {
        var code = module.codeSection();
        for (int f = 0; f < code.functionBodyCount(); f++) {
            for (var instruction : code.getFunctionBody(f).instructions()) {
                OpCode op = instruction.opcode();
                if (op == OpCode.RETURN_CALL || op == OpCode.RETURN_CALL_INDIRECT || op == OpCode.RETURN_CALL_REF) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Compiles a tiered module on the compiler executor under the compile timeout and installs the
     * result; a failure leaves the module interpreted, with a warning. The task holds the module
     * weakly until it starts, so a plugin unloaded while its compile waits is not compiled at all.
     */
    private void compileInBackground(String pluginId, CompiledModule tiered, LoadLimits limits) {
        WeakReference<CompiledModule> pending = new WeakReference<>(tiered);
        try {
            compiler.execute(() -> {
                CompiledModule target = pending.get();
                if (target == null || target.machineFactory() != null) {
                    return;
                }
                long start = System.nanoTime();
                try {
                    CompiledModule done = CompileDeadline.run(pluginId, limits.compileTimeout(), "compiling",
                            () -> compileParsed(pluginId, target.sha256(), target.module(), ExecutionMode.TIERED,
                                    target.fuelCosts()));
                    target.promote(done.machineFactory());
                    LoggerFactory.getLogger("graft.plugin." + pluginId).debug(
                            "plugin '{}' compiled in the background in {} ms; new instances run compiled", pluginId,
                            (System.nanoTime() - start) / 1_000_000);
                } catch (RuntimeException | Error e) {
                    if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) {
                        throw e;
                    }
                    LoggerFactory.getLogger("graft.plugin." + pluginId).warn("plugin '{}' stays in the interpreter:"
                            + " its background compile failed: {}", pluginId, describe(e));
                }
            });
        } catch (RejectedExecutionException e) {
            LoggerFactory.getLogger("graft.plugin." + pluginId).warn("plugin '{}' stays in the interpreter: its"
                    + " background compile was refused: {}", pluginId, describe(e));
        }
    }

    private CompiledModule parseAndCompile(String pluginId, String sha256, byte[] bytes, ExecutionMode mode,
            CostModel fuelCosts) {
        WasmModule module = parse(pluginId, bytes);
        if (mode == ExecutionMode.INTERPRETED) {
            return new CompiledModule(sha256, module, null, mode, fuelCosts);
        }
        return compileParsed(pluginId, sha256, module, mode, fuelCosts);
    }

    private CompiledModule compileParsed(String pluginId, String sha256, WasmModule module, ExecutionMode mode,
            CostModel fuelCosts) {
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
