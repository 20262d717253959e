package dev.graft.host.component;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ValType;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.abi.TypedHostFunction;
import dev.graft.host.component.ComponentParser.CoreItem;
import dev.graft.host.component.ComponentParser.CoreInstanceDef;
import dev.graft.host.component.ComponentParser.CoreRef;
import dev.graft.host.component.ComponentParser.CoreSort;
import dev.graft.host.component.ComponentParser.FromExports;
import dev.graft.host.component.ComponentParser.FuncType;
import dev.graft.host.component.ComponentParser.ImportedFunction;
import dev.graft.host.component.ComponentParser.Instantiate;
import dev.graft.host.component.ComponentParser.LiftedFunction;
import dev.graft.host.component.ComponentParser.LoweredFunction;
import dev.graft.host.engine.CompiledModule;
import dev.graft.host.policy.MemoryBudget;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A component checked at load and ready to instantiate: its core modules (each one metered, held to the
 * load budget and compiled by the engine like any module), the order its core instances are built in and
 * what each one's imports are wired to, the granted host function behind each of its function imports,
 * and its exported functions with their types. Immutable and shared by every instance of the plugin.
 */
public final class ComponentPlan {

    private final String sha256;
    private final List<CompiledModule> modules;
    private final List<CoreInstanceDef> instances;
    private final Map<String, LiftedFunction> exports;
    /** The host function behind each function import, by import name. */
    private final Map<String, BoundImport> imports;

    /**
     * A function import satisfied by a host function: the host function's name (as granted), the binding
     * of its Java types to the import's WIT type, and its handler.
     */
    record BoundImport(String hostFunction, JavaBinding binding, TypedHostFunction.Handler handler) {
    }

    private ComponentPlan(String sha256, List<CompiledModule> modules, List<CoreInstanceDef> instances,
            Map<String, LiftedFunction> exports, Map<String, BoundImport> imports) {
        this.sha256 = sha256;
        this.modules = modules;
        this.instances = instances;
        this.exports = exports;
        this.imports = imports;
    }

    /**
     * Checks the wiring of a parsed component whose core modules the engine compiled (in the same order):
     * every function import is satisfied by a granted and offered host function of the same kebab-case
     * name whose Java types match the import's type, every core import is satisfied by an argument
     * instance's export of the same kind and type, every alias names an export that exists, and every
     * lifted and lowered function's core signature, memory, realloc and post-return agree with its
     * component type.
     *
     * @param grants the capabilities the plugin's policy grants
     * @param offered the host functions the host offers, by name
     * @throws PluginLoadException naming the import, capability, core instance or export that does not fit
     */
    public static ComponentPlan create(String pluginId, String sha256, ComponentParser.Parsed parsed,
            List<CompiledModule> modules, Capabilities grants, Map<String, HostFunctionBinding> offered) {
        Map<String, BoundImport> imports = new LinkedHashMap<>();
        for (ImportedFunction imported : parsed.imports()) {
            imports.put(imported.name(), bindImport(pluginId, imported, grants, offered));
        }
        ComponentPlan plan = new ComponentPlan(sha256, List.copyOf(modules), parsed.coreInstances(), parsed.exports(),
                Collections.unmodifiableMap(imports));
        plan.check(pluginId);
        if (parsed.exports().isEmpty()) {
            throw new PluginLoadException(pluginId, "the component exports no function");
        }
        return plan;
    }

    /**
     * The host function satisfying a function import: one whose name in kebab case is the import's name,
     * granted by the policy under its own name and offered by the host, with matching types. Checked in
     * that order, as a module's {@code extism:host/user} import is.
     */
    private static BoundImport bindImport(String pluginId, ImportedFunction imported, Capabilities grants,
            Map<String, HostFunctionBinding> offered) {
        String what = "component import '" + imported.name() + "' (" + imported.type() + ")";
        List<String> granted = grants.hostFunctions().stream()
                .filter(name -> JavaBinding.witName(name).equals(imported.name())).sorted().toList();
        if (granted.isEmpty()) {
            String capability = offered.keySet().stream()
                    .filter(name -> JavaBinding.witName(name).equals(imported.name())).findFirst()
                    .orElse(imported.name());
            throw new PluginLoadException(pluginId, what + " needs host function capability '" + capability
                    + "', which the policy does not grant");
        }
        List<String> served = granted.stream().filter(offered::containsKey).toList();
        if (served.isEmpty()) {
            throw new PluginLoadException(pluginId, what + ": host function '" + granted.get(0)
                    + "' is granted but the host offers no implementation");
        }
        if (served.size() > 1) {
            throw new PluginLoadException(pluginId, what + " is satisfied by more than one granted host function: "
                    + served + " all have the kebab-case name '" + imported.name() + "'");
        }
        String name = served.get(0);
        TypedHostFunction form = offered.get(name).componentForm();
        try {
            JavaBinding binding = JavaBinding.ofHostFunction(name, form.parameter(), form.result(), imported.type());
            return new BoundImport(name, binding, form.handler());
        } catch (JavaBinding.Mismatch e) {
            throw new PluginLoadException(pluginId, what + " does not match host function '" + name + "' ("
                    + (form.parameter() == null ? "" : form.parameter().getTypeName()) + ") -> "
                    + form.result().getTypeName() + " " + e.getMessage());
        }
    }

    /** The kind and, for functions, the type of one core export. */
    private record Provided(ExternalType kind, FunctionType type) {
    }

    private void check(String pluginId) {
        List<Map<String, Provided>> provided = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            CoreInstanceDef def = instances.get(i);
            Map<String, Provided> exported = new HashMap<>();
            if (def instanceof Instantiate inst) {
                WasmModule module = modules.get(inst.module()).module();
                for (int k = 0; k < module.importSection().importCount(); k++) {
                    Import imp = module.importSection().getImport(k);
                    String what = "core instance " + i + " (module " + inst.module() + ") import '" + imp.module() + "."
                            + imp.name() + "'";
                    Integer arg = inst.args().get(imp.module());
                    if (arg == null) {
                        throw new PluginLoadException(pluginId, what + " has no instantiation argument named '"
                                + imp.module() + "'");
                    }
                    Provided p = provided.get(arg).get(imp.name());
                    if (p == null) {
                        throw new PluginLoadException(pluginId, what + ": core instance " + arg + " exports no '"
                                + imp.name() + "'");
                    }
                    if (p.kind() != imp.importType()) {
                        throw new PluginLoadException(pluginId, what + " is a " + lower(imp.importType())
                                + " but core instance " + arg + " exports a " + lower(p.kind()) + " '" + imp.name() + "'");
                    }
                    if (imp instanceof FunctionImport f) {
                        FunctionType wanted = module.typeSection().getType(f.typeIndex());
                        if (!wanted.equals(p.type())) {
                            throw new PluginLoadException(pluginId, what + " has type " + wanted + " but core instance "
                                    + arg + " exports '" + imp.name() + "' with type " + p.type());
                        }
                    }
                }
                for (int k = 0; k < module.exportSection().exportCount(); k++) {
                    Export e = module.exportSection().getExport(k);
                    FunctionType type = e.exportType() == ExternalType.FUNCTION ? functionType(module, e.index()) : null;
                    exported.put(e.name(), new Provided(e.exportType(), type));
                }
            } else {
                for (Map.Entry<String, CoreItem> e : ((FromExports) def).exports().entrySet()) {
                    exported.put(e.getKey(), e.getValue() instanceof LoweredFunction lowered
                            ? new Provided(ExternalType.FUNCTION, checkLower(pluginId, provided, lowered))
                            : resolve(pluginId, provided, (CoreRef) e.getValue()));
                }
            }
            provided.add(exported);
        }
        for (Map.Entry<String, LiftedFunction> e : exports.entrySet()) {
            checkLift(pluginId, provided, e.getKey(), e.getValue());
        }
    }

    private static Provided resolve(String pluginId, List<Map<String, Provided>> provided, CoreRef ref) {
        Provided p = provided.get(ref.instance()).get(ref.name());
        ExternalType kind = kindOf(ref.sort());
        if (p == null || p.kind() != kind) {
            throw new PluginLoadException(pluginId, "the component aliases core " + lower(kind) + " '" + ref.name()
                    + "' of core instance " + ref.instance() + ", which exports no such " + lower(kind));
        }
        return p;
    }

    private void checkLift(String pluginId, List<Map<String, Provided>> provided, String name, LiftedFunction f) {
        FuncType type = f.type();
        String what = "export '" + name + "' (" + type + ")";
        Flattened flat = flatten(type, false);
        FunctionType expected = flat.core();
        FunctionType actual = resolve(pluginId, provided, f.core()).type();
        if (!expected.equals(actual)) {
            throw new PluginLoadException(pluginId, what + " lifts a core function of type " + actual
                    + "; the canonical ABI needs " + expected);
        }
        boolean paramsAllocate = flat.spillParams() || type.params().stream().anyMatch(p -> usesMemory(p.type()));
        boolean needsMemory = paramsAllocate || flat.spillResults()
                || (type.result() != null && usesMemory(type.result()));
        if (needsMemory && f.memory() == null) {
            throw new PluginLoadException(pluginId, what + " passes strings, lists or spilled values but its canon lift"
                    + " names no memory");
        }
        if (f.memory() != null) {
            resolve(pluginId, provided, f.memory());
        }
        if (paramsAllocate && f.realloc() == null) {
            throw new PluginLoadException(pluginId, what + " takes strings, lists or spilled parameters but its canon"
                    + " lift names no realloc");
        }
        if (f.realloc() != null) {
            checkRealloc(pluginId, provided, what, f.realloc());
        }
        if (f.postReturn() != null) {
            FunctionType post = resolve(pluginId, provided, f.postReturn()).type();
            FunctionType wanted = FunctionType.of(expected.returns(), List.of());
            if (!wanted.equals(post)) {
                throw new PluginLoadException(pluginId, what + ": post-return '" + f.postReturn().name() + "' has type "
                        + post + "; the canonical ABI needs " + wanted);
            }
        }
    }

    /**
     * Checks a {@code canon lower}'s options against its import's type and returns the core function type
     * the lowering has: the flat parameters (one pointer when more than {@link CanonicalAbi#MAX_FLAT_PARAMS}),
     * then, when the result flattens to more than one value, an out-pointer parameter instead of results.
     */
    private static FunctionType checkLower(String pluginId, List<Map<String, Provided>> provided, LoweredFunction f) {
        FuncType type = f.imported().type();
        String what = "canon lower of component import '" + f.imported().name() + "' (" + type + ")";
        Flattened flat = flatten(type, true);
        boolean resultAllocates = type.result() != null && usesMemory(type.result());
        boolean needsMemory = flat.spillParams() || flat.spillResults() || resultAllocates
                || type.params().stream().anyMatch(p -> usesMemory(p.type()));
        if (needsMemory && f.memory() == null) {
            throw new PluginLoadException(pluginId, what + " passes strings, lists or spilled values but names no"
                    + " memory");
        }
        if (f.memory() != null) {
            resolve(pluginId, provided, f.memory());
        }
        if (resultAllocates && f.realloc() == null) {
            throw new PluginLoadException(pluginId, what + " returns strings or lists but names no realloc");
        }
        if (f.realloc() != null) {
            checkRealloc(pluginId, provided, what, f.realloc());
        }
        return flat.core();
    }

    /** A function type's core signature, and whether its parameters and its result travel through memory. */
    private record Flattened(FunctionType core, boolean spillParams, boolean spillResults) {
    }

    /**
     * The core signature of a component function type: its flat parameters, or one pointer when there are
     * more than {@link CanonicalAbi#MAX_FLAT_PARAMS}; its flat result, or, when that is more than
     * {@link CanonicalAbi#MAX_FLAT_RESULTS} values, a pointer the core function returns ({@code canon lift})
     * or an out-pointer parameter it is given instead of results ({@code canon lower}).
     */
    private static Flattened flatten(FuncType type, boolean lowering) {
        List<ValType> params = new ArrayList<>();
        for (WitType.Field p : type.params()) {
            params.addAll(core(WitType.flatten(p.type())));
        }
        boolean spillParams = params.size() > CanonicalAbi.MAX_FLAT_PARAMS;
        if (spillParams) {
            params = new ArrayList<>(List.of(ValType.I32));
        }
        List<ValType> results = type.result() == null ? List.of() : core(WitType.flatten(type.result()));
        boolean spillResults = results.size() > CanonicalAbi.MAX_FLAT_RESULTS;
        if (spillResults && lowering) {
            params.add(ValType.I32);
            results = List.of();
        } else if (spillResults) {
            results = List.of(ValType.I32);
        }
        return new Flattened(FunctionType.of(params, results), spillParams, spillResults);
    }

    private static void checkRealloc(String pluginId, List<Map<String, Provided>> provided, String what, CoreRef ref) {
        FunctionType realloc = resolve(pluginId, provided, ref).type();
        FunctionType wanted = FunctionType.of(List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32),
                List.of(ValType.I32));
        if (!wanted.equals(realloc)) {
            throw new PluginLoadException(pluginId, what + ": realloc '" + ref.name() + "' has type " + realloc
                    + "; the canonical ABI needs " + wanted);
        }
    }

    private static List<ValType> core(List<WitType.Flat> flat) {
        return flat.stream().map(t -> switch (t) {
            case I32 -> ValType.I32;
            case I64 -> ValType.I64;
            case F32 -> ValType.F32;
            case F64 -> ValType.F64;
        }).toList();
    }

    /** Whether values of the type live partly in linear memory (strings and lists). */
    static boolean usesMemory(WitType type) {
        if (type == WitType.Primitive.STRING || type instanceof WitType.ListType) {
            return true;
        }
        if (type instanceof WitType.OptionType o) {
            return usesMemory(o.type());
        }
        List<WitType> fields = WitType.fieldTypesOf(type);
        if (fields != null) {
            return fields.stream().anyMatch(ComponentPlan::usesMemory);
        }
        List<WitType.Case> cases = WitType.casesOf(type);
        return cases != null && cases.stream().anyMatch(c -> c.type() != null && usesMemory(c.type()));
    }

    private static ExternalType kindOf(CoreSort sort) {
        return switch (sort) {
            case FUNC -> ExternalType.FUNCTION;
            case TABLE -> ExternalType.TABLE;
            case MEMORY -> ExternalType.MEMORY;
            case GLOBAL -> ExternalType.GLOBAL;
        };
    }

    private static String lower(ExternalType kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The type of function {@code index} of a module (imports first). */
    static FunctionType functionType(WasmModule module, int index) {
        int imported = 0;
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            if (imp.importType() == ExternalType.FUNCTION) {
                if (imported == index) {
                    return module.typeSection().getType(((FunctionImport) imp).typeIndex());
                }
                imported++;
            }
        }
        int defined = index - imported;
        if (defined < 0 || defined >= module.functionSection().functionCount()) {
            return null;
        }
        return module.typeSection().getType(module.functionSection().getFunctionType(defined));
    }

    /**
     * Refuses a component whose instantiated core modules' initial memories and tables together break
     * {@code max-memory} before any instance allocates them (a module instantiated twice counts twice).
     */
    public void checkDeclaredMemory(String pluginId, long maxMemoryBytes) {
        long pages = 0;
        long entries = 0;
        for (CoreInstanceDef def : instances) {
            if (def instanceof Instantiate inst) {
                WasmModule module = modules.get(inst.module()).module();
                if (module.memorySection().isPresent()) {
                    var section = module.memorySection().get();
                    for (int i = 0; i < section.memoryCount(); i++) {
                        pages += section.getMemory(i).limits().initialPages();
                    }
                }
                for (int i = 0; i < module.tableSection().tableCount(); i++) {
                    entries += module.tableSection().getTable(i).limits().min();
                }
            }
        }
        long declared = pages * com.dylibso.chicory.runtime.Memory.PAGE_SIZE + entries * MemoryBudget.TABLE_ENTRY_BYTES;
        if (declared > maxMemoryBytes) {
            throw new PluginLoadException(pluginId, "the component's core instances declare " + pages + " pages of initial"
                    + " memory and " + entries + " initial table entries, " + declared + " bytes in all, over the "
                    + MemoryBudget.MAX_MEMORY + " limit of " + maxMemoryBytes + " bytes");
        }
    }

    /** Hex sha256 of the component bytes. */
    public String sha256() {
        return sha256;
    }

    /** The exported functions by name, with their component types. */
    public Map<String, FuncType> exportTypes() {
        Map<String, FuncType> out = new LinkedHashMap<>();
        exports.forEach((k, v) -> out.put(k, v.type()));
        return Collections.unmodifiableMap(out);
    }

    LiftedFunction export(String name) {
        return exports.get(name);
    }

    /** The host function behind the function import of that name (every import has one once planned). */
    BoundImport importBinding(String name) {
        return imports.get(name);
    }

    List<CompiledModule> modules() {
        return modules;
    }

    List<CoreInstanceDef> instances() {
        return instances;
    }

    /** Whether the core modules carry fuel metering (all of them do, or none). */
    public boolean metered() {
        return !modules.isEmpty() && modules.get(0).metered();
    }

    /** {@link ExecutionMode#COMPILED} once every core module has compiled code, else interpreted. */
    public ExecutionMode tier() {
        return modules.stream().allMatch(m -> m.machineFactory() != null) ? ExecutionMode.COMPILED
                : ExecutionMode.INTERPRETED;
    }

    /** The mode the core modules were loaded in. */
    public ExecutionMode mode() {
        return modules.isEmpty() ? ExecutionMode.COMPILED : modules.get(0).mode();
    }
}
