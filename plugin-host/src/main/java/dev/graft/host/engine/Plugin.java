package dev.graft.host.engine;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.PluginTimeoutException;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.abi.OutboundHttp;
import dev.graft.host.policy.HostAllowList;
import dev.graft.host.binding.ExtensionContract;
import dev.graft.host.binding.ExtensionProxy;
import dev.graft.host.binding.PluginCaller;
import dev.graft.host.component.ComponentParser;
import dev.graft.host.component.ComponentPlan;
import dev.graft.host.component.JavaBinding;
import dev.graft.host.metering.FuelMeter;
import dev.graft.host.policy.Watchdog;
import dev.graft.host.pool.InstancePool;
import dev.graft.host.policy.MemoryBudget;
import dev.graft.host.policy.WasiSandbox;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded plugin: compiled code, policy and grants, immutable and safe to share between threads
 * (like Wasmtime's {@code InstancePre}). Each {@link #call} runs on the calling thread in an instance
 * of its own (fresh, or checked out of the plugin's pool), under the policy's limits.
 */
public final class Plugin implements PluginCaller, AutoCloseable {

    private static final List<ValType> EXTISM_RESULT = List.of(ValType.I32);

    private final PluginSpec spec;
    private final CompiledModule compiled;
    private final ImportLinker linker;
    private final WasiSandbox wasi;
    private final int memoryCapPages;
    private final Map<String, FunctionType> exports;
    private final Logger log;
    private final FailureTranslator failures;
    private final InstancePool<PluginInstance> pool;
    /**
     * {@code instances: fresh}: instances reset to their state right after instantiation, waiting for
     * the next call (at most pool-size of them); {@code null} when instances cannot be reset (pooled
     * mode, or WASI files a call could leave traces in).
     */
    private final ArrayBlockingQueue<PluginInstance> resetInstances;
    private final List<CallListener> listeners;
    private final OutboundHttp http;
    private final String signedBy;
    /** The component this plugin runs, or {@code null} for a core module (then {@link #compiled} is set). */
    private final ComponentPlan component;
    /** Bindings of contract methods to the component's exports, made once per method. */
    private final Map<java.lang.reflect.Method, JavaBinding> bindings = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closed;
    /** Instances built so far (the trial instance included), for tests of instance reuse. */
    private final java.util.concurrent.atomic.AtomicLong instantiations = new java.util.concurrent.atomic.AtomicLong();

    private Plugin(PluginSpec spec, CompiledModule compiled, ImportLinker linker, WasiSandbox wasi,
            int memoryCapPages, Map<String, FunctionType> exports, List<CallListener> listeners, String signedBy) {
        this(spec, compiled, linker, wasi, memoryCapPages, exports, listeners, signedBy, null);
    }

    private Plugin(PluginSpec spec, CompiledModule compiled, ImportLinker linker, WasiSandbox wasi,
            int memoryCapPages, Map<String, FunctionType> exports, List<CallListener> listeners, String signedBy,
            ComponentPlan component) {
        this.spec = spec;
        this.component = component;
        this.signedBy = signedBy;
        this.listeners = listeners;
        this.http = outboundHttp(spec.source().pluginId(), spec.policy());
        this.compiled = compiled;
        this.linker = linker;
        this.wasi = wasi;
        this.memoryCapPages = memoryCapPages;
        this.exports = exports;
        this.log = LoggerFactory.getLogger("graft.plugin." + spec.source().pluginId());
        PluginPolicy policy = spec.policy();
        this.failures = new FailureTranslator(id(), policy.timeout(), policy.maxMemoryBytes());
        this.pool = policy.instances() == InstanceMode.POOLED
                ? new InstancePool<>(policy.poolSize(), this::newInstance, PluginInstance::close)
                : null;
        this.resetInstances = policy.instances() == InstanceMode.FRESH && (wasi == null || !wasi.hasFiles())
                ? new ArrayBlockingQueue<>(policy.poolSize())
                : null;
    }

    static Plugin create(PluginSpec spec, CompiledModule compiled, List<CallListener> listeners) {
        return create(spec, compiled, listeners, null);
    }

    /** @param signedBy the name of the trusted key that verified the module, or {@code null} */
    static Plugin create(PluginSpec spec, CompiledModule compiled, List<CallListener> listeners, String signedBy) {
        String id = spec.source().pluginId();
        PluginPolicy policy = spec.policy();
        WasmModule module = compiled.module();
        int capPages = checkDeclaredMemory(id, module, policy.maxMemoryBytes());
        ImportLinker linker = ImportLinker.check(id, module, policy.capabilities(), spec.hostFunctions());
        Map<String, FunctionType> exports = functionExports(id, module);
        for (Class<?> type : spec.extensionPoints()) {
            checkContract(id, ExtensionContract.of(type), exports);
        }
        WasiSandbox wasi = linker.usesWasi() ? WasiSandbox.load(id, policy.capabilities()) : null;
        Plugin plugin = new Plugin(spec, compiled, linker, wasi, capPages, exports, listeners, signedBy);
        plugin.trialInstance();
        return plugin;
    }

    /**
     * A plugin running a WebAssembly component: its declared memory is checked against the policy, the
     * extension points it claims are bound to its exports (types checked), and a trial instance is built.
     *
     * @param signedBy the name of the trusted key that verified the component, or {@code null}
     */
    static Plugin createComponent(PluginSpec spec, ComponentPlan plan, List<CallListener> listeners, String signedBy) {
        String id = spec.source().pluginId();
        PluginPolicy policy = spec.policy();
        plan.checkDeclaredMemory(id, policy.maxMemoryBytes());
        int capPages = (int) Math.min(policy.maxMemoryBytes() / com.dylibso.chicory.runtime.Memory.PAGE_SIZE,
                MemoryLimits.MAX_PAGES);
        Plugin plugin = new Plugin(spec, null, null, null, capPages, Map.of(), listeners, signedBy, plan);
        for (Class<?> type : spec.extensionPoints()) {
            plugin.bindComponent(ExtensionContract.of(type));
        }
        plugin.trialInstance();
        return plugin;
    }

    /** Binds every method of the contract to the component export of its kebab-case name, checking the types. */
    private void bindComponent(ExtensionContract contract) {
        for (java.lang.reflect.Method method : contract.type().getMethods()) {
            String export = contract.exportOf(method);
            if (export != null) {
                binding(contract, method, export);
            }
        }
    }

    private JavaBinding binding(ExtensionContract contract, java.lang.reflect.Method method, String export) {
        JavaBinding known = bindings.get(method);
        if (known != null) {
            return known;
        }
        String name = JavaBinding.witName(export);
        ComponentParser.FuncType type = component.exportTypes().get(name);
        String point = contract == null ? method.getDeclaringClass().getName()
                : "extension point '" + contract.id() + "' (version " + contract.version() + ")";
        if (type == null) {
            throw new PluginLoadException(id(), "claims " + point + " but the component has no export '" + name
                    + "' (for " + method.getDeclaringClass().getSimpleName() + "." + method.getName()
                    + "); it exports " + new java.util.TreeSet<>(component.exportTypes().keySet()));
        }
        try {
            JavaBinding binding = JavaBinding.of(method, name, type);
            bindings.put(method, binding);
            return binding;
        } catch (JavaBinding.Mismatch e) {
            throw new PluginLoadException(id(), "export '" + name + "' of " + point + " has type " + type
                    + ", which does not match " + method.getDeclaringClass().getSimpleName() + "." + method.getName()
                    + " " + e.getMessage());
        }
    }

    private static OutboundHttp outboundHttp(String id, PluginPolicy policy) {
        if (policy.capabilities().allowedHosts().isEmpty()) {
            return null;
        }
        HostAllowList allowList;
        try {
            allowList = HostAllowList.of(policy.capabilities().allowedHosts());
        } catch (IllegalArgumentException e) {
            throw new PluginLoadException(id, "capability allowed-hosts: " + e.getMessage(), e);
        }
        return new OutboundHttp(id, allowList, policy.httpTimeout(), policy.maxHttpResponseBytes(),
                policy.maxHttpConcurrency());
    }

    /**
     * Refuses a module whose memories' initial pages and tables' initial entries together break
     * {@code max-memory} (each table entry at {@link MemoryBudget#TABLE_ENTRY_BYTES}), before any
     * instance allocates them; returns the cap in pages that every memory's maximum is held under.
     */
    private static int checkDeclaredMemory(String id, WasmModule module, long maxMemoryBytes) {
        int capPages = (int) Math.min(maxMemoryBytes / com.dylibso.chicory.runtime.Memory.PAGE_SIZE, MemoryLimits.MAX_PAGES);
        long pages = 0;
        int memories = 0;
        if (module.memorySection().isPresent()) {
            var section = module.memorySection().get();
            memories = section.memoryCount();
            for (int i = 0; i < memories; i++) {
                pages += section.getMemory(i).limits().initialPages();
            }
        }
        long entries = 0;
        int tables = module.tableSection().tableCount();
        for (int i = 0; i < tables; i++) {
            entries += module.tableSection().getTable(i).limits().min();
        }
        long linearBytes = pages * com.dylibso.chicory.runtime.Memory.PAGE_SIZE;
        long declaredBytes = linearBytes + entries * MemoryBudget.TABLE_ENTRY_BYTES;
        if (declaredBytes > maxMemoryBytes) {
            throw new PluginLoadException(id, "module declares " + pages + " pages (" + linearBytes + " bytes) of initial"
                    + " memory in " + memories + (memories == 1 ? " memory" : " memories") + " and " + entries
                    + " initial table entries (" + MemoryBudget.TABLE_ENTRY_BYTES + " bytes each) in " + tables
                    + (tables == 1 ? " table" : " tables") + ", " + declaredBytes + " bytes in all, over the "
                    + MemoryBudget.MAX_MEMORY + " limit of " + maxMemoryBytes + " bytes");
        }
        return capPages;
    }

    private static Map<String, FunctionType> functionExports(String id, WasmModule module) {
        int importedFunctions = 0;
        for (int i = 0; i < module.importSection().importCount(); i++) {
            if (module.importSection().getImport(i).importType() == ExternalType.FUNCTION) {
                importedFunctions++;
            }
        }
        Map<String, FunctionType> result = new LinkedHashMap<>();
        for (int i = 0; i < module.exportSection().exportCount(); i++) {
            Export e = module.exportSection().getExport(i);
            if (e.exportType() == ExternalType.FUNCTION) {
                int index = (int) e.index();
                int functions = importedFunctions + module.functionSection().functionCount();
                if (e.index() < 0 || e.index() >= functions) {
                    // Chicory's parser does not check export indices; a malformed module may have any.
                    throw new PluginLoadException(id, "export '" + e.name() + "' names function " + e.index()
                            + " but the module has " + functions + " functions");
                }
                FunctionType type = index < importedFunctions
                        ? module.typeSection().getType(((com.dylibso.chicory.wasm.types.FunctionImport) importAt(module, index)).typeIndex())
                        : module.typeSection().getType(module.functionSection().getFunctionType(index - importedFunctions));
                result.put(e.name(), type);
            }
        }
        return Collections.unmodifiableMap(result);
    }

    private static com.dylibso.chicory.wasm.types.Import importAt(WasmModule module, int functionIndex) {
        int seen = 0;
        for (int i = 0; i < module.importSection().importCount(); i++) {
            var imp = module.importSection().getImport(i);
            if (imp.importType() == ExternalType.FUNCTION && seen++ == functionIndex) {
                return imp;
            }
        }
        throw new IllegalStateException("no function import " + functionIndex);
    }

    private static void checkContract(String id, ExtensionContract contract, Map<String, FunctionType> exports) {
        for (String export : contract.exports()) {
            FunctionType type = exports.get(export);
            if (type == null) {
                throw new PluginLoadException(id, "claims extension point '" + contract.id() + "' (version "
                        + contract.version() + ") but has no export '" + export + "'; the module exports "
                        + new java.util.TreeSet<>(exports.keySet()));
            }
            if (!isExtismFunction(type)) {
                throw new PluginLoadException(id, "export '" + export + "' of extension point '" + contract.id()
                        + "' has type " + type + "; an Extism function is () -> i32");
            }
        }
    }

    private static boolean isExtismFunction(FunctionType type) {
        return type.params().isEmpty() && (type.returns().isEmpty() || type.returns().equals(EXTISM_RESULT));
    }

    /** Instantiates once at load, so a start function that traps or loops refuses the plugin now. */
    private void trialInstance() {
        Watchdog.CallTimer timer = Watchdog.shared().start(spec.policy().timeout().toNanos());
        PluginInstance instance = null;
        boolean fired = false;
        try {
            instance = newInstance();
        } catch (Throwable t) {
            fired = timer.finish();
            PluginException cause = failures.translate(t, "start", "instantiation (start function)", fired,
                    timer.elapsedNanos(), null, null);
            throw new PluginLoadException(id(), "instantiation failed: " + cause.getMessage(), cause);
        } finally {
            if (!fired) {
                timer.finish();
            }
        }
        if (pool != null) {
            pool.seed(instance);
        } else {
            release(instance, true);
        }
    }

    /** The plugin's id. */
    public String id() {
        return spec.source().pluginId();
    }

    /** Lower-case hex sha256 of the module bytes. */
    public String sha256() {
        return component != null ? component.sha256() : compiled.sha256();
    }

    /** Whether the plugin is a WebAssembly component (called through the canonical ABI, never with bytes). */
    public boolean isComponent() {
        return component != null;
    }

    /**
     * How the plugin's new instances run now: {@link ExecutionMode#INTERPRETED} until a
     * {@linkplain ExecutionMode#TIERED tiered} plugin's background compile finishes, then
     * {@link ExecutionMode#COMPILED}; fixed for the other modes.
     */
    public ExecutionMode executionTier() {
        return component != null ? component.tier() : compiled.tier();
    }

    public PluginPolicy policy() {
        return spec.policy();
    }

    /**
     * The name of the trusted key (in the spec's {@linkplain PluginSpec#trust() trust policy}) whose
     * signature verified the module at load; empty when it loaded unsigned.
     */
    public Optional<String> signedBy() {
        return Optional.ofNullable(signedBy);
    }

    /** Names of the module's function exports (a component's exported functions). */
    public Set<String> exports() {
        return component != null ? component.exportTypes().keySet() : exports.keySet();
    }

    /**
     * Calls an Extism export with the given input under the plugin's policy.
     *
     * @return the output and what the call cost
     * @throws PluginException (a subclass naming the limit) for every failure the plugin causes
     */
    @Override
    public CallResult call(String export, byte[] input) {
        return call(export, input, spec.policy().fuel());
    }

    /**
     * Calls an Extism export with the given input and fuel budget (for example one scaled with the
     * input by a {@link dev.graft.api.FuelBudget}); the budget is ignored when the plugin is unmetered.
     */
    @Override
    public CallResult call(String export, byte[] input, long fuelBudget) {
        if (component != null) {
            throw refused(export, new PluginCallException(id(), export, "the plugin is a WebAssembly component, whose"
                    + " exports take typed values, not bytes; call it through plugin.extension(...)"));
        }
        FunctionType type = exports.get(export);
        if (type == null) {
            throw refused(export, new PluginCallException(id(), export, "the module has no export named '" + export
                    + "'; it exports " + new java.util.TreeSet<>(exports.keySet())));
        }
        if (!isExtismFunction(type)) {
            throw refused(export, new PluginCallException(id(), export,
                    "export has type " + type + "; an Extism function is () -> i32"));
        }
        checkInput(export, input, fuelBudget);
        return run(export, fuelBudget, null, (instance, stats) -> new CallResult(instance.invoke(export, input, fuelBudget), stats.get()));
    }

    /**
     * Calls a component's export with Java values through the canonical ABI (no JSON): the argument is
     * lowered into the component's memory, the result lifted back and converted to the method's Java
     * type; a {@code result} error becomes a {@link PluginCallException}. Returns
     * {@link PluginCaller#NOT_TYPED} for a core-module plugin, whose calls take bytes.
     */
    @Override
    public Object callTyped(java.lang.reflect.Method method, String export, Object[] args, long fuelBudget) {
        if (component == null) {
            return NOT_TYPED;
        }
        JavaBinding binding;
        try {
            binding = binding(null, method, export);
        } catch (PluginLoadException e) {
            throw refused(JavaBinding.witName(export), new PluginCallException(id(), JavaBinding.witName(export),
                    e.getMessage(), e));
        }
        String name = JavaBinding.witName(export);
        long fuel = fuelBudget > 0 ? fuelBudget : spec.policy().fuel();
        if (closed) {
            throw new IllegalStateException("plugin '" + id() + "' is closed");
        }
        Object[] lowered;
        try {
            lowered = binding.lower(args);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot pass the argument of " + method.getName() + " to '" + name
                    + "': " + e.getMessage(), e);
        }
        PluginPolicy policy = spec.policy();
        return run(name, fuel, null, (instance, stats) -> {
            Object value = instance.callComponent(name, lowered, fuel, policy.maxInputBytes(), policy.maxOutputBytes());
            stats.get();
            return binding.lift(id(), value);
        });
    }

    /**
     * Runs the module as a WASI command: a fresh instance whose {@code _start} sees the arguments, the
     * granted environment plus {@code environment}, and {@code stdin}; its stdout (capped by
     * {@code max-output-bytes}) is the output. This is how WAGI-style handlers run.
     *
     * @throws PluginCallException when the module is not a command (no {@code _start})
     */
    public CommandResult runCommand(List<String> arguments, Map<String, String> environment, byte[] stdin) {
        if (!exports.containsKey("_start")) {
            throw refused("_start", new PluginCallException(id(), "_start", "the module is not a WASI command (no _start export)"));
        }
        long fuel = spec.policy().fuel();
        checkInput("_start", stdin, fuel);
        PluginPolicy policy = spec.policy();
        BoundedOutput stdout = new BoundedOutput(id(), policy.maxOutputBytes());
        WasiSandbox.CommandIo io = new WasiSandbox.CommandIo(List.copyOf(arguments), Map.copyOf(environment), stdin, stdout);
        return run("_start", fuel, io, (instance, stats) -> {
            int exitCode = instance.runCommand(fuel);
            return new CommandResult(exitCode, stdout.toByteArray(), stats.get());
        });
    }

    private void checkInput(String export, byte[] input, long fuelBudget) {
        if (closed) {
            throw new IllegalStateException("plugin '" + id() + "' is closed");
        }
        PluginPolicy policy = spec.policy();
        if (input.length > policy.maxInputBytes()) {
            throw refused(export, new PluginPayloadException(id(), "max-input-bytes", policy.maxInputBytes(), input.length,
                    "input of '" + export + "'"));
        }
        if (metered() && fuelBudget <= 0) {
            throw new IllegalArgumentException("fuel budget must be positive, was " + fuelBudget);
        }
    }

    /** The work of one call on an instance; {@code stats} gives the call's cost once the work is done. */
    private interface Work<R> {
        R run(PluginInstance instance, java.util.function.Supplier<CallStats> stats);
    }

    /**
     * Runs one call under the policy: a timer, an instance (fresh, pooled, or fresh with command I/O),
     * failure translation, listeners, and release or disposal of the instance.
     */
    private <R> R run(String export, long fuelBudget, WasiSandbox.CommandIo command, Work<R> work) {
        CallStats.recordOnThisThread(null); // a failed call leaves no stale figures behind
        Watchdog.CallTimer timer = Watchdog.shared().start(spec.policy().timeout().toNanos());
        PluginInstance instance = null;
        boolean healthy = false;
        boolean finished = false;
        try {
            instance = command == null ? acquire(timer, export) : newInstance(command);
            PluginInstance current = instance;
            CallStats[] recorded = new CallStats[1];
            R result = work.run(instance, () -> {
                FuelMeter meter = current.meter();
                recorded[0] = new CallStats(timer.elapsedNanos(), current.budget().highWaterBytes(),
                        meter == null ? -1 : meter.consumed(), sha256());
                return recorded[0];
            });
            healthy = true;
            CallStats.recordOnThisThread(recorded[0]);
            notifyListeners(export, CallOutcome.OK, recorded[0], null);
            return result;
        } catch (Throwable t) {
            boolean fired = timer.finish();
            finished = true;
            FuelMeter meter = instance == null ? null : instance.meter();
            PluginException failure = failures.translate(t, export, "call to '" + export + "'", fired, timer.elapsedNanos(),
                    instance == null ? null : instance.budget(), meter);
            notifyListeners(export, CallOutcome.of(failure), new CallStats(timer.elapsedNanos(),
                    instance == null ? -1 : instance.budget().highWaterBytes(), meter == null ? -1 : meter.consumed(),
                    sha256()), failure);
            throw failure;
        } finally {
            boolean fired = finished || timer.finish();
            if (instance != null && command != null) {
                instance.close(); // a command's instance is its own, never pooled
            } else if (instance != null) {
                release(instance, healthy && !fired);
            }
        }
    }

    /**
     * A refusal before the call starts (no instance, no time, memory or fuel spent), reported to the
     * listeners like any failed call so that metrics count it; returned for the caller to throw.
     */
    private PluginException refused(String export, PluginException failure) {
        notifyListeners(export, CallOutcome.of(failure), new CallStats(0, -1, -1, sha256()), failure);
        return failure;
    }

    private void notifyListeners(String export, CallOutcome outcome, CallStats stats, PluginException failure) {
        for (CallListener listener : listeners) {
            try {
                listener.onCall(id(), export, outcome, stats, failure);
            } catch (RuntimeException e) {
                log.warn("call listener {} failed", listener, e);
            }
        }
    }

    @Override
    public long fuelBudget() {
        return metered() ? spec.policy().fuel() : 0;
    }

    private boolean metered() {
        return component != null ? component.metered() : compiled.metered();
    }

    /** A new instance; its start function runs on the policy's fuel per call. */
    private PluginInstance newInstance() {
        return newInstance(null);
    }

    private PluginInstance newInstance(WasiSandbox.CommandIo command) {
        if (component != null) {
            // Two defined globals: the fuel and reserve every core module of the component shares.
            FuelMeter meter = component.metered()
                    ? new FuelMeter(id(), spec.policy().fuelCosts(), 2, spec.policy().fuel())
                    : null;
            instantiations.incrementAndGet();
            PluginInstance instance = new PluginInstance(this, meter, component);
            if (resetInstances != null) {
                instance.snapshot();
            }
            return instance;
        }
        FuelMeter meter = compiled.metered()
                ? new FuelMeter(id(), spec.policy().fuelCosts(), compiled.definedGlobals(), spec.policy().fuel())
                : null;
        instantiations.incrementAndGet();
        PluginInstance instance = new PluginInstance(this, meter, command);
        if (command == null && resetInstances != null) {
            instance.snapshot();
        }
        return instance;
    }

    private PluginInstance acquire(Watchdog.CallTimer timer, String export) throws InterruptedException {
        if (pool == null) {
            PluginInstance reset = resetInstances == null ? null : resetInstances.poll();
            return reset != null ? reset : newInstance();
        }
        PluginInstance instance = pool.tryAcquire();
        if (instance != null) {
            return instance; // no wait, so no timeout to compute (a clock read saved on every call)
        }
        long remaining = spec.policy().timeout().toNanos() - timer.elapsedNanos();
        instance = pool.acquire(Math.max(0, remaining));
        if (instance == null) {
            throw new PluginTimeoutException(id(), "waiting for a pooled instance for '" + export + "' (pool-size "
                    + spec.policy().poolSize() + ")", spec.policy().timeout(), Duration.ofNanos(timer.elapsedNanos()));
        }
        return instance;
    }

    private void release(PluginInstance instance, boolean healthy) {
        boolean current = instance.compiledTier()
                || (component != null ? component.tier() == ExecutionMode.INTERPRETED : compiled.machineFactory() == null);
        if (pool == null) {
            // Fresh: a healthy instance of the current tier is reset and kept for the next call; one
            // that failed in any way (trap, limit, timeout, interrupt) is discarded, never reset.
            if (resetInstances == null || closed || !healthy || !current || !reset(instance)
                    || !resetInstances.offer(instance)) {
                instance.close();
            } else if (closed && resetInstances.remove(instance)) {
                instance.close(); // close() ran meanwhile and drained the queue before this offer
            }
        } else {
            // An interpreted instance of a module compiled since is replaced by a compiled one on demand.
            pool.release(instance, healthy && current);
        }
    }

    /** Resets a fresh-mode instance for reuse; false (discard it) if it cannot be reset or the reset fails. */
    private boolean reset(PluginInstance instance) {
        try {
            return instance.reset();
        } catch (RuntimeException e) {
            // A reset only restores what the instance recorded; a failure is a Graft bug, never the caller's.
            log.warn("plugin '{}': an instance could not be reset and is discarded", id(), e);
            return false;
        }
    }

    /**
     * A Java object implementing the {@code @ExtensionPoint} interface by calling this plugin's
     * exports; safe to call from many threads.
     *
     * @throws PluginLoadException when the plugin lacks an export the interface needs
     */
    public <T> T extension(Class<T> type) {
        ExtensionContract contract = ExtensionContract.of(type);
        if (component != null) {
            bindComponent(contract);
        } else {
            checkContract(id(), contract, exports);
        }
        return ExtensionProxy.create(type, contract, this, id(), spec.fuelBudgets().get(type));
    }

    /** Releases pooled instances. Calls after closing fail with {@link IllegalStateException}. */
    @Override
    public void close() {
        closed = true;
        if (pool != null) {
            pool.close();
        }
        if (resetInstances != null) {
            PluginInstance idle;
            while ((idle = resetInstances.poll()) != null) {
                idle.close();
            }
        }
    }

    long instantiations() {
        return instantiations.get();
    }

    // Accessors for PluginInstance.

    CompiledModule compiled() {
        return compiled;
    }

    ComponentPlan component() {
        return component;
    }

    ImportLinker linker() {
        return linker;
    }

    WasiSandbox wasi() {
        return wasi;
    }

    OutboundHttp http() {
        return http;
    }

    /**
     * The limits an instance gives a memory declared with {@code declared}: its maximum held under the
     * cap (Chicory replaces the declared limits with these, so intersect them here). The instance's
     * {@link MemoryBudget} then holds all memories together under the same cap.
     */
    MemoryLimits memoryLimits(MemoryLimits declared) {
        return new MemoryLimits(declared.initialPages(), Math.min(declared.maximumPages(), memoryCapPages),
                declared.shared());
    }

    Map<String, String> config() {
        return spec.config();
    }

    Map<String, HostFunctionBinding> hostFunctions() {
        return spec.hostFunctions();
    }

    Logger log() {
        return log;
    }

    @Override
    public String toString() {
        return "Plugin{" + id() + ", sha256=" + sha256() + (component != null ? ", component" : "") + ", mode="
                + (component != null ? component.mode() : compiled.mode()) + ", tier=" + executionTier() + "}";
    }
}
