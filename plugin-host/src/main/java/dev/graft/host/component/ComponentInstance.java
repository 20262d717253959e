package dev.graft.host.component;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ExecutionListener;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.GlobalFactory;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportGlobal;
import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportTable;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.graft.api.HostFunctionError;
import dev.graft.api.PluginException;
import dev.graft.host.abi.HostFunctionFailure;
import dev.graft.host.component.ComponentParser.CoreInstanceDef;
import dev.graft.host.component.ComponentParser.CoreItem;
import dev.graft.host.component.ComponentParser.CoreRef;
import dev.graft.host.component.ComponentParser.FromExports;
import dev.graft.host.component.ComponentParser.Instantiate;
import dev.graft.host.component.ComponentParser.LiftedFunction;
import dev.graft.host.component.ComponentParser.LoweredFunction;
import dev.graft.host.engine.CompiledModule;
import dev.graft.host.metering.FuelMeter;
import dev.graft.host.policy.BudgetedMemory;
import dev.graft.host.pool.InstanceState;
import dev.graft.host.policy.BudgetedTable;
import dev.graft.host.policy.MemoryBudget;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One live instance of a component: its core instances built in order on Chicory, each one's imports
 * wired to earlier instances' exports or to lowered host functions, every memory and table charged to
 * one {@link MemoryBudget}, and, when metered, one fuel counter shared by all core modules (each
 * module's fuel and reserve globals are the same two globals), so fuel flows across calls between them
 * as within one module. A run-time object: one thread at a time, discarded after a failure.
 */
public final class ComponentInstance {

    /** In the interpreter, every instruction checks the interrupt (see {@code PluginInstance} for why). */
    private static final ExecutionListener INTERRUPT_CHECK = (instruction, stack) -> {
        if (Thread.currentThread().isInterrupted()) {
            throw new ChicoryInterruptedException("Thread interrupted");
        }
    };

    private final ComponentPlan plan;
    private final String pluginId;
    /** Per core instance: a Chicory {@link Instance}, or {@code null} for an instance made of exports. */
    private final Instance[] instances;
    private final boolean compiledTier;
    private final GlobalInstance fuel;
    private final GlobalInstance reserve;
    private final FuelMeter meter;
    /** The memories each core instance created (an imported memory belongs to its creator only). */
    private final List<List<BudgetedMemory>> memories = new java.util.ArrayList<>();
    /** The type layouts this instance's calls worked out, kept for its next calls. */
    private final CanonicalAbi.Layouts layouts = new CanonicalAbi.Layouts();
    /** Each function type's parameter types, one list per type (the ABI finds a spilled list's layout by it). */
    private final java.util.Map<ComponentParser.FuncType, List<WitType>> paramTypes = new java.util.IdentityHashMap<>();
    /** Each core instance's state right after instantiation, once {@link #snapshot()} ran. */
    private InstanceState[] snapshot;
    /** The core function of each lowered import, made on first use. */
    private final java.util.Map<LoweredFunction, ExportFunction> lowered = new java.util.IdentityHashMap<>();
    /** The export being called and its payload limits, for the host functions it calls. */
    private String callingExport = "(instantiation)";
    private long callMaxInputBytes;
    private long callMaxOutputBytes;

    /**
     * Instantiates every core instance; their start functions run here on the meter's budget.
     *
     * @param meter the fuel meter (its globals are created here), or {@code null} when unmetered
     * @param memoryCaps holds each memory's maximum under the policy's cap
     * @param maxInputBytes {@code max-input-bytes}, for host functions a start function calls
     * @param maxOutputBytes {@code max-output-bytes}, likewise
     */
    public ComponentInstance(ComponentPlan plan, String pluginId, MemoryBudget budget, FuelMeter meter,
            UnaryOperator<MemoryLimits> memoryCaps, long maxInputBytes, long maxOutputBytes) {
        this.plan = plan;
        this.callMaxInputBytes = maxInputBytes;
        this.callMaxOutputBytes = maxOutputBytes;
        this.pluginId = pluginId;
        this.meter = meter;
        if (meter != null) {
            // The meter was made for two defined globals: these two, shared by every metered module.
            this.fuel = meter.create(0, 0, ValType.I64, MutabilityType.Var);
            this.reserve = meter.create(0, 0, ValType.I64, MutabilityType.Var);
        } else {
            this.fuel = null;
            this.reserve = null;
        }
        List<CoreInstanceDef> defs = plan.instances();
        this.instances = new Instance[defs.size()];
        boolean allCompiled = true;
        for (int i = 0; i < defs.size(); i++) {
            if (defs.get(i) instanceof Instantiate inst) {
                CompiledModule compiled = plan.modules().get(inst.module());
                var machineFactory = compiled.machineFactory();
                allCompiled &= machineFactory != null;
                WasmModule module = compiled.module();
                List<BudgetedMemory> own = new java.util.ArrayList<>(1);
                memories.add(own);
                Instance.Builder builder = Instance.builder(module)
                        .withImportValues(imports(module, inst))
                        .withMemoryFactory(limits -> {
                            BudgetedMemory memory = new BudgetedMemory(memoryCaps.apply(limits), budget);
                            own.add(memory);
                            return memory;
                        })
                        .withTableFactory(BudgetedTable.factory(budget));
                if (meter != null) {
                    builder.withGlobalFactory(sharedFuel(compiled.definedGlobals()));
                }
                if (machineFactory != null) {
                    builder.withMachineFactory(machineFactory);
                } else {
                    builder.withUnsafeExecutionListener(INTERRUPT_CHECK);
                }
                instances[i] = builder.build();
            } else {
                memories.add(List.of());
            }
        }
        this.compiledTier = allCompiled;
    }

    /** Creates a module's globals, handing out the shared fuel and reserve as its last two. */
    private GlobalFactory sharedFuel(int definedGlobals) {
        int[] created = {0};
        return (low, high, type, mutability) -> {
            int ordinal = created[0]++;
            if (ordinal == definedGlobals - 2) {
                return fuel;
            }
            if (ordinal == definedGlobals - 1) {
                return reserve;
            }
            return new GlobalInstance(low, high, type, mutability);
        };
    }

    private ImportValues imports(WasmModule module, Instantiate inst) {
        ImportValues.Builder values = ImportValues.builder();
        for (int k = 0; k < module.importSection().importCount(); k++) {
            Import imp = module.importSection().getImport(k);
            int provider = inst.args().get(imp.module());
            switch (imp.importType()) {
                case FUNCTION -> {
                    ExportFunction target = (ExportFunction) export(provider, imp.name(), ComponentParser.CoreSort.FUNC);
                    FunctionType type = module.typeSection().getType(((FunctionImport) imp).typeIndex());
                    values.addFunction(new HostFunction(imp.module(), imp.name(), type,
                            (caller, args) -> target.apply(args)));
                }
                case MEMORY -> values.addMemory(new ImportMemory(imp.module(), imp.name(),
                        (Memory) export(provider, imp.name(), ComponentParser.CoreSort.MEMORY)));
                case TABLE -> values.addTable(new ImportTable(imp.module(), imp.name(),
                        (TableInstance) export(provider, imp.name(), ComponentParser.CoreSort.TABLE)));
                case GLOBAL -> values.addGlobal(new ImportGlobal(imp.module(), imp.name(),
                        (GlobalInstance) export(provider, imp.name(), ComponentParser.CoreSort.GLOBAL)));
                default -> throw new IllegalStateException("import kind " + imp.importType() + " passed the plan");
            }
        }
        return values.build();
    }

    /** What core instance {@code index} exports as {@code name}, following instances made of exports. */
    private Object export(int index, String name, ComponentParser.CoreSort sort) {
        Instance instance = instances[index];
        if (instance == null) {
            CoreItem item = ((FromExports) plan.instances().get(index)).exports().get(name);
            if (item instanceof LoweredFunction f) {
                return lowered.computeIfAbsent(f, k -> args -> callHost(k, args));
            }
            return resolve((CoreRef) item);
        }
        return switch (sort) {
            case FUNC -> instance.export(name);
            case MEMORY -> instance.exports().memory(name);
            case TABLE -> instance.exports().table(name);
            case GLOBAL -> instance.exports().global(name);
        };
    }

    private Object resolve(CoreRef ref) {
        return export(ref.instance(), ref.name(), ref.sort());
    }

    /**
     * Calls an exported function: lowers the arguments, runs the lifted core function, lifts its result and
     * runs its post-return function.
     *
     * @param arguments host values of the parameters (see {@link CanonicalAbi} for their representation)
     * @return the host value of the result, or {@code null} when the function has none
     */
    public Object call(String export, Object[] arguments, long maxInputBytes, long maxOutputBytes) {
        LiftedFunction f = plan.export(export);
        if (f == null) {
            throw new IllegalArgumentException("the component has no export '" + export + "'");
        }
        callingExport = export;
        callMaxInputBytes = maxInputBytes;
        callMaxOutputBytes = maxOutputBytes;
        Memory memory = f.memory() == null ? null : (Memory) resolve(f.memory());
        ExportFunction realloc = f.realloc() == null ? null : (ExportFunction) resolve(f.realloc());
        // The bytes the host copies are charged per byte, as a host function's are.
        CanonicalAbi abi = new CanonicalAbi(pluginId, export, memory, realloc, maxInputBytes, maxOutputBytes,
                meter == null ? null : bytes -> meter.chargeBytes("canonical ABI", bytes), layouts);
        List<WitType> params = paramTypes(f.type());
        long[] core = abi.lowerParams(params, arguments);
        long[] results = ((ExportFunction) resolve(f.core())).apply(core);
        Object result = abi.liftResult(f.type().result(), results);
        if (f.postReturn() != null) {
            ((ExportFunction) resolve(f.postReturn())).apply(results == null ? new long[0] : results);
        }
        return result;
    }

    /**
     * A call of a lowered import from the guest, on the calling thread inside the plugin call: charges a
     * host call's fixed cost, lifts the arguments from the guest's core values and memory, runs the host
     * function's handler, and lowers its result (into the guest's memory with the lowering's realloc,
     * at the out-pointer when it spills). What the guest passes is held to {@code max-output-bytes}, what
     * it receives to {@code max-input-bytes}, and every byte copied is charged as for an export's values.
     *
     * @throws HostFunctionFailure when the handler fails (unless it throws a {@link HostFunctionError} and the
     *     import returns {@code result<T, string>}, whose error case then carries that message) or returns a
     *     value that does not fit
     */
    private long[] callHost(LoweredFunction f, long[] args) {
        ComponentPlan.BoundImport bound = plan.importBinding(f.imported().name());
        String name = bound.hostFunction();
        if (meter != null) {
            meter.chargeHostCall(name, 0);
        }
        Memory memory = f.memory() == null ? null : (Memory) resolve(f.memory());
        ExportFunction realloc = f.realloc() == null ? null : (ExportFunction) resolve(f.realloc());
        CanonicalAbi abi = CanonicalAbi.forImport(pluginId, callingExport, name, memory, realloc, callMaxInputBytes,
                callMaxOutputBytes, meter == null ? null : bytes -> meter.chargeBytes(name, bytes), layouts);
        ComponentParser.FuncType type = f.imported().type();
        List<WitType> params = paramTypes(type);
        Object[] arguments = bound.binding().argumentsToJava(pluginId, callingExport, abi.liftParams(params, args));
        Object value;
        try {
            Object result = bound.handler().handle(pluginId, arguments.length == 0 ? null : arguments[0]);
            try {
                value = bound.binding().resultToWit(result);
            } catch (RuntimeException e) {
                throw new HostFunctionFailure(name, new IllegalStateException("its result does not fit the import's"
                        + " type " + type + ": " + e.getMessage(), e));
            }
        } catch (PluginException | HostFunctionFailure e) {
            throw e;
        } catch (LinkageError e) {
            throw new HostFunctionFailure(name, e);
        } catch (Exception e) {
            if (!(e instanceof HostFunctionError answered) || !bound.binding().resultWrapped()) {
                throw new HostFunctionFailure(name, e);
            }
            // An error the host function answers on purpose, to an import returning result<T, string>: the guest
            // handles it. Other failures keep their message from the guest (host internals stay in the host).
            value = new CanonicalAbi.CaseValue(1, String.valueOf(answered.getMessage()));
        }
        if (type.result() == null) {
            return new long[0];
        }
        if (abi.spills(type.result())) {
            abi.storeResult(type.result(), value, (int) args[args.length - 1]);
            return new long[0];
        }
        return abi.lowerResult(type.result(), value);
    }

    private List<WitType> paramTypes(ComponentParser.FuncType type) {
        return paramTypes.computeIfAbsent(type, t -> t.params().stream().map(WitType.Field::type).toList());
    }

    /**
     * Records every core instance's state right after instantiation (memories, mutable globals, tables,
     * element segments), so that {@link #reset()} can put it back, as a module's fresh instance is reset.
     */
    public void snapshot() {
        InstanceState[] states = new InstanceState[instances.length];
        for (int i = 0; i < instances.length; i++) {
            if (instances[i] != null) {
                states[i] = InstanceState.of(instances[i]);
                for (BudgetedMemory memory : memories.get(i)) {
                    memory.snapshot();
                }
            }
        }
        snapshot = states;
    }

    /**
     * Puts every core instance back as {@link #snapshot()} recorded it (only the memory chunks a call wrote
     * are copied back). Only after a call that ended normally; the caller restores the memory accounts.
     *
     * @return false when something cannot be reset (no snapshot, a table grew): discard the instance
     */
    public boolean reset() {
        if (snapshot == null) {
            return false;
        }
        for (int i = 0; i < instances.length; i++) {
            if (instances[i] != null && !snapshot[i].tablesUnchanged(instances[i])) {
                return false;
            }
        }
        for (int i = 0; i < instances.length; i++) {
            if (instances[i] == null) {
                continue;
            }
            for (BudgetedMemory memory : memories.get(i)) {
                if (memory.restore(instances[i]) < 0) {
                    return false;
                }
            }
        }
        for (int i = 0; i < instances.length; i++) {
            if (instances[i] != null) {
                snapshot[i].restore(instances[i]);
            }
        }
        return true;
    }

    /** Whether every core instance runs compiled code (fixed at instantiation). */
    public boolean compiledTier() {
        return compiledTier;
    }
}
