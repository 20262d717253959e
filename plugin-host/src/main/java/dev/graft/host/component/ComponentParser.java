package dev.graft.host.component;

import dev.graft.api.PluginLoadException;
import dev.graft.host.component.WitType.Case;
import dev.graft.host.component.WitType.Field;
import dev.graft.host.component.WitType.Primitive;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the subset of the component binary format Graft runs (component-model binary version 0x0d,
 * layer 1) and resolves its index spaces as it goes: core modules, core instances (instantiated or made
 * of exports), aliases of core instance exports and outer aliases, value and function types,
 * {@code canon lift} and {@code canon lower}, function imports (satisfied later, at planning, only by a
 * granted host function), type imports with an {@code eq} bound (aliases of the component's own types),
 * and function and type exports. Everything else is refused with a {@link PluginLoadException} naming
 * the construct: instance imports (WASI among them), component, module and value imports, resources,
 * async, streams and futures, nested components, component instances, start and value definitions,
 * string encodings other than UTF-8.
 */
public final class ComponentParser {

    /** The preamble of a component: magic, version 0x0d, layer 1. */
    private static final byte[] PREAMBLE = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
    /** Types larger than this many nodes (counting shared ones each time) are refused: their ABI work is unbounded. */
    static final int MAX_TYPE_NODES = 10_000;
    /** Deepest nesting of value types accepted (the ABI code recurses once per level). */
    static final int MAX_TYPE_DEPTH = 64;

    private final String pluginId;
    private final Reader in;

    private final List<byte[]> coreModules = new ArrayList<>();
    private final List<CoreInstanceDef> coreInstances = new ArrayList<>();
    /** The core function index space: core instance exports ({@link CoreRef}) and lowered imports. */
    private final List<CoreItem> coreFuncs = new ArrayList<>();
    private final List<CoreRef> coreMemories = new ArrayList<>();
    private final List<CoreRef> coreTables = new ArrayList<>();
    private final List<CoreRef> coreGlobals = new ArrayList<>();
    private int coreTypes;
    /** The type index space: {@link WitType}, {@link FuncType}, or a {@link String} naming a type Graft does not use. */
    private final List<Object> types = new ArrayList<>();
    /** The component function index space: {@link LiftedFunction}s and {@link ImportedFunction}s. */
    private final List<Object> funcs = new ArrayList<>();
    private final List<ImportedFunction> imports = new ArrayList<>();
    private final Map<String, LiftedFunction> exports = new LinkedHashMap<>();
    private final Map<WitType, int[]> weights = new java.util.IdentityHashMap<>();

    private ComponentParser(String pluginId, byte[] bytes) {
        this.pluginId = pluginId;
        this.in = new Reader(bytes, 0, bytes.length);
    }

    /** Whether {@code bytes} start with the preamble of a component (rather than a core module). */
    public static boolean isComponent(byte[] bytes) {
        if (bytes == null || bytes.length < 8) {
            return false;
        }
        // Magic, then layer 1: any component version, so that a newer one is refused by name, not as a bad module.
        return bytes[0] == 0x00 && bytes[1] == 0x61 && bytes[2] == 0x73 && bytes[3] == 0x6d && bytes[6] == 0x01
                && bytes[7] == 0x00;
    }

    /** A function type: named parameters and at most one (unnamed) result. */
    public record FuncType(List<Field> params, WitType result) {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("func(");
            for (int i = 0; i < params.size(); i++) {
                s.append(i > 0 ? ", " : "").append(params.get(i).name()).append(": ").append(params.get(i).type());
            }
            return s.append(')').append(result == null ? "" : " -> " + result).toString();
        }
    }

    /** An entry of a core index space: a core instance's export, or (functions only) a lowered import. */
    public sealed interface CoreItem permits CoreRef, LoweredFunction {
    }

    /** What a core sort index names: the export {@code name} of core instance {@code instance}. */
    public record CoreRef(CoreSort sort, int instance, String name) implements CoreItem {
    }

    /** A top-level function import of the component: its name and its type. */
    public record ImportedFunction(String name, FuncType type) {
    }

    /**
     * A {@code canon lower} of an imported function into a core function, with its options: the memory
     * the values cross through and the {@code realloc} that allocates the result there ({@code null} when
     * the type needs none).
     */
    public record LoweredFunction(ImportedFunction imported, CoreRef memory, CoreRef realloc) implements CoreItem {
    }

    /** The core sorts a component can alias. */
    public enum CoreSort { FUNC, TABLE, MEMORY, GLOBAL }

    /** A core instance: a module instantiated with named argument instances, or a bag of exports. */
    public sealed interface CoreInstanceDef {
    }

    /** {@code (instantiate module (with name (instance i))*)}. */
    public record Instantiate(int module, Map<String, Integer> args) implements CoreInstanceDef {
    }

    /** {@code (export name sortidx)*}: an instance made of other instances' exports. */
    public record FromExports(Map<String, CoreItem> exports) implements CoreInstanceDef {
    }

    /** A {@code canon lift}: the core function, its options and the component function type. */
    public record LiftedFunction(CoreRef core, FuncType type, CoreRef memory, CoreRef realloc, CoreRef postReturn) {
    }

    /** The parsed and resolved component; {@code imports} are its function imports, in order. */
    public record Parsed(List<byte[]> coreModules, List<CoreInstanceDef> coreInstances,
            Map<String, LiftedFunction> exports, List<ImportedFunction> imports) {
    }

    /**
     * Parses a component.
     *
     * @throws PluginLoadException naming the construct Graft does not run, or what is malformed and where
     */
    public static Parsed parse(String pluginId, byte[] bytes) {
        return new ComponentParser(pluginId, bytes).parse();
    }

    private Parsed parse() {
        byte[] head = in.bytes(8, "preamble");
        for (int i = 0; i < PREAMBLE.length; i++) {
            if (head[i] != PREAMBLE[i]) {
                if (i == 4 || i == 5) {
                    throw refuse("component binary version 0x" + Integer.toHexString((head[5] & 0xff) << 8 | head[4] & 0xff)
                            + "; Graft reads version 0x0d (the component model before 1.0)");
                }
                throw malformed("not a component preamble");
            }
        }
        refuseImports();
        while (in.remaining() > 0) {
            int id = in.u8();
            int size = in.u32("section size");
            Reader section = in.sub(size, "section " + id);
            switch (id) {
                case 0 -> section.skipRest(); // custom sections (names, producers, the component-type) are not needed to run
                case 1 -> coreModules.add(section.bytes(size, "core module"));
                case 2 -> vec(section, "core instances", this::coreInstance);
                case 3 -> vec(section, "core types", this::coreType);
                case 4 -> throw refuse("a nested component (section 4); Graft runs a single flat component");
                case 5 -> throw refuse("a component instance (section 5); Graft runs a single flat component");
                case 6 -> vec(section, "aliases", this::alias);
                case 7 -> vec(section, "types", r -> types.add(defType(r)));
                case 8 -> vec(section, "canonical functions", this::canon);
                case 9 -> throw refuse("a component start function (section 9)");
                case 10 -> vec(section, "imports", this::importDef);
                case 11 -> vec(section, "exports", this::export);
                case 12 -> throw refuse("a value definition (section 12)");
                default -> throw malformed("unknown section id " + id);
            }
            if (section.remaining() != 0) {
                throw malformed("section " + id + " has " + section.remaining() + " bytes after its contents");
            }
        }
        return new Parsed(List.copyOf(coreModules), List.copyOf(coreInstances), Map.copyOf(exports),
                List.copyOf(imports));
    }

    /**
     * Refuses the first import before anything else is read, so that a component with imports is refused
     * by the import's name rather than by the instance types its type section declares for it.
     */
    private void refuseImports() {
        Reader scan = new Reader(in.bytes, in.position(), in.end);
        while (scan.remaining() > 0) {
            int id = scan.u8();
            int size = scan.u32("section size");
            Reader section = scan.sub(size, "section " + id);
            if (id == 10 && section.remaining() > 0) {
                vec(section, "imports", this::scanImport);
            }
        }
    }

    /** The prescan's view of an import: refuses any but a function import or a type import with an {@code eq} bound. */
    private void scanImport(Reader r) {
        String name;
        try {
            name = externName(r);
        } catch (IllegalStateException e) {
            throw malformed("import " + e.getMessage());
        }
        int kind = r.u8();
        if (kind == 0x01 || (kind == 0x03 && r.peek() == 0x00)) {
            if (kind == 0x03) {
                r.u8();
            }
            r.u32("type index");
            return;
        }
        throw refuseImport(name, kind);
    }

    private interface Item {
        void read(Reader r);
    }

    private void vec(Reader r, String what, Item item) {
        int count = r.count(what);
        for (int i = 0; i < count; i++) {
            item.read(r);
        }
    }

    private void coreInstance(Reader r) {
        int kind = r.u8();
        if (kind == 0x00) {
            int module = r.u32("module index");
            if (module >= coreModules.size()) {
                throw malformed("core instance instantiates module " + module + " of " + coreModules.size());
            }
            Map<String, Integer> args = new LinkedHashMap<>();
            int count = r.count("instantiate arguments");
            for (int i = 0; i < count; i++) {
                String name = r.name();
                int sort = r.u8();
                int instance = r.u32("instance index");
                if (sort != 0x12) {
                    throw malformed("instantiate argument '" + name + "' is not an instance");
                }
                checkCoreInstance(instance);
                args.put(name, instance);
            }
            coreInstances.add(new Instantiate(module, args));
        } else if (kind == 0x01) {
            Map<String, CoreItem> exported = new LinkedHashMap<>();
            int count = r.count("inline exports");
            for (int i = 0; i < count; i++) {
                String name = r.name();
                exported.put(name, coreSortIndex(r));
            }
            coreInstances.add(new FromExports(exported));
        } else {
            throw malformed("core instance kind 0x" + Integer.toHexString(kind));
        }
    }

    private CoreItem coreSortIndex(Reader r) {
        int sort = r.u8();
        int index = r.u32("core index");
        List<? extends CoreItem> space = switch (sort) {
            case 0x00 -> coreFuncs;
            case 0x01 -> coreTables;
            case 0x02 -> coreMemories;
            case 0x03 -> coreGlobals;
            default -> throw refuse("a core " + coreSortName(sort) + " export in a core instance");
        };
        if (index >= space.size()) {
            throw malformed("core " + coreSortName(sort) + " index " + index + " of " + space.size());
        }
        return space.get(index);
    }

    private static String coreSortName(int sort) {
        return switch (sort) {
            case 0x00 -> "func";
            case 0x01 -> "table";
            case 0x02 -> "memory";
            case 0x03 -> "global";
            case 0x04 -> "tag";
            case 0x10 -> "type";
            case 0x11 -> "module";
            case 0x12 -> "instance";
            default -> "sort 0x" + Integer.toHexString(sort);
        };
    }

    private void checkCoreInstance(int instance) {
        if (instance >= coreInstances.size()) {
            throw malformed("core instance index " + instance + " of " + coreInstances.size());
        }
    }

    private void coreType(Reader r) {
        int form = r.u8();
        if (form == 0x60) {
            skipValTypes(r);
            skipValTypes(r);
            coreTypes++;
        } else if (form == 0x50) {
            throw refuse("a core module type (only an imported module needs one)");
        } else {
            throw refuse("core type form 0x" + Integer.toHexString(form) + " (GC types)");
        }
    }

    private static void skipValTypes(Reader r) {
        int count = r.count("core value types");
        for (int i = 0; i < count; i++) {
            r.u8();
        }
    }

    private void alias(Reader r) {
        int sort = r.u8();
        int coreSort = sort == 0x00 ? r.u8() : -1;
        int target = r.u8();
        switch (target) {
            case 0x00 -> {
                int instance = r.u32("instance index");
                String name = r.name();
                throw refuse("an alias of export '" + name + "' of component instance " + instance
                        + " (component instances come from instance imports, which Graft does not offer)");
            }
            case 0x01 -> {
                int instance = r.u32("core instance index");
                String name = r.name();
                checkCoreInstance(instance);
                if (sort != 0x00) {
                    throw malformed("core export alias '" + name + "' of a component sort");
                }
                List<? super CoreRef> space = switch (coreSort) {
                    case 0x00 -> coreFuncs;
                    case 0x01 -> coreTables;
                    case 0x02 -> coreMemories;
                    case 0x03 -> coreGlobals;
                    default -> throw refuse("an alias of core " + coreSortName(coreSort) + " '" + name + "'");
                };
                CoreSort kind = CoreSort.values()[coreSort];
                space.add(new CoreRef(kind, instance, name));
            }
            case 0x02 -> {
                int count = r.u32("outer count");
                int index = r.u32("outer index");
                if (count != 0) {
                    throw malformed("outer alias " + count + " levels out of the top-level component");
                }
                if (sort == 0x03) {
                    types.add(type(index));
                } else if (sort == 0x00 && coreSort == 0x11) {
                    if (index >= coreModules.size()) {
                        throw malformed("outer alias of module " + index + " of " + coreModules.size());
                    }
                    coreModules.add(coreModules.get(index));
                } else if (sort == 0x00 && coreSort == 0x10) {
                    if (index >= coreTypes) {
                        throw malformed("outer alias of core type " + index + " of " + coreTypes);
                    }
                    coreTypes++;
                } else {
                    throw refuse("an outer alias of a " + sortName(sort, coreSort));
                }
            }
            default -> throw malformed("alias target 0x" + Integer.toHexString(target));
        }
    }

    private static String sortName(int sort, int coreSort) {
        return switch (sort) {
            case 0x00 -> "core " + coreSortName(coreSort);
            case 0x01 -> "func";
            case 0x02 -> "value";
            case 0x03 -> "type";
            case 0x04 -> "component";
            case 0x05 -> "instance";
            default -> "sort 0x" + Integer.toHexString(sort);
        };
    }

    private Object type(int index) {
        if (index >= types.size()) {
            throw malformed("type index " + index + " of " + types.size());
        }
        return types.get(index);
    }

    private Object defType(Reader r) {
        int form = r.u8();
        switch (form) {
            case 0x40 -> {
                List<Field> params = new ArrayList<>();
                Set<String> names = new HashSet<>();
                int count = r.count("parameters");
                for (int i = 0; i < count; i++) {
                    String name = r.name();
                    if (!names.add(name.toLowerCase(java.util.Locale.ROOT))) {
                        throw malformed("duplicate parameter '" + name + "'");
                    }
                    params.add(new Field(name, valType(r)));
                }
                WitType result;
                int kind = r.u8();
                if (kind == 0x00) {
                    result = valType(r);
                } else if (kind == 0x01) {
                    int named = r.count("results");
                    if (named != 0) {
                        throw refuse("a function with " + named + " named results");
                    }
                    result = null;
                } else {
                    throw malformed("result list kind 0x" + Integer.toHexString(kind));
                }
                return new FuncType(List.copyOf(params), result);
            }
            case 0x43 -> throw refuse("an async function type");
            case 0x41 -> throw refuse("a component type (only imports and nested components need one)");
            case 0x42 -> throw refuse("an instance type (only imports need one)");
            case 0x3f -> throw refuse("a resource type");
            default -> {
                WitType type = defValType(form, r);
                checkWeight(type);
                return type;
            }
        }
    }

    private WitType defValType(int form, Reader r) {
        Primitive primitive = primitive(form);
        if (primitive != null) {
            return primitive;
        }
        switch (form) {
            case 0x72 -> {
                List<Field> fields = new ArrayList<>();
                Set<String> names = new HashSet<>();
                int count = r.count("record fields");
                if (count == 0) {
                    throw malformed("a record without fields");
                }
                for (int i = 0; i < count; i++) {
                    String name = r.name();
                    if (!names.add(name.toLowerCase(java.util.Locale.ROOT))) {
                        throw malformed("duplicate record field '" + name + "'");
                    }
                    fields.add(new Field(name, valType(r)));
                }
                return new WitType.RecordType(List.copyOf(fields));
            }
            case 0x71 -> {
                List<Case> cases = new ArrayList<>();
                Set<String> names = new HashSet<>();
                int count = r.count("variant cases");
                if (count == 0) {
                    throw malformed("a variant without cases");
                }
                for (int i = 0; i < count; i++) {
                    String name = r.name();
                    if (!names.add(name.toLowerCase(java.util.Locale.ROOT))) {
                        throw malformed("duplicate variant case '" + name + "'");
                    }
                    WitType payload = optional(r) ? valType(r) : null;
                    if (r.u8() != 0x00) {
                        throw refuse("a variant case that refines another");
                    }
                    cases.add(new Case(name, payload));
                }
                return new WitType.VariantType(List.copyOf(cases));
            }
            case 0x70 -> {
                return new WitType.ListType(valType(r));
            }
            case 0x67 -> throw refuse("a fixed-length list type");
            case 0x6f -> {
                int count = r.count("tuple types");
                if (count == 0) {
                    throw malformed("an empty tuple");
                }
                List<WitType> ts = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    ts.add(valType(r));
                }
                return new WitType.TupleType(List.copyOf(ts));
            }
            case 0x6e, 0x6d -> {
                List<String> labels = labels(r, form == 0x6e ? "flags" : "enum cases");
                if (form == 0x6e && labels.size() > 32) {
                    throw refuse("flags with " + labels.size() + " labels (at most 32)");
                }
                return form == 0x6e ? new WitType.FlagsType(labels) : new WitType.EnumType(labels);
            }
            case 0x6b -> {
                return new WitType.OptionType(valType(r));
            }
            case 0x6a -> {
                WitType ok = optional(r) ? valType(r) : null;
                WitType error = optional(r) ? valType(r) : null;
                return new WitType.ResultType(ok, error);
            }
            case 0x69 -> throw refuse("an owned resource handle type (own)");
            case 0x68 -> throw refuse("a borrowed resource handle type (borrow)");
            case 0x66 -> throw refuse("a stream type");
            case 0x65 -> throw refuse("a future type");
            case 0x64 -> throw refuse("the error-context type");
            default -> throw malformed("type form 0x" + Integer.toHexString(form));
        }
    }

    private List<String> labels(Reader r, String what) {
        int count = r.count(what);
        if (count == 0) {
            throw malformed("empty " + what);
        }
        List<String> labels = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String label = r.name();
            if (!seen.add(label.toLowerCase(java.util.Locale.ROOT))) {
                throw malformed("duplicate label '" + label + "' in " + what);
            }
            labels.add(label);
        }
        return List.copyOf(labels);
    }

    private boolean optional(Reader r) {
        int flag = r.u8();
        if (flag > 1) {
            throw malformed("optional flag 0x" + Integer.toHexString(flag));
        }
        return flag == 1;
    }

    private static Primitive primitive(int code) {
        return switch (code) {
            case 0x7f -> Primitive.BOOL;
            case 0x7e -> Primitive.S8;
            case 0x7d -> Primitive.U8;
            case 0x7c -> Primitive.S16;
            case 0x7b -> Primitive.U16;
            case 0x7a -> Primitive.S32;
            case 0x79 -> Primitive.U32;
            case 0x78 -> Primitive.S64;
            case 0x77 -> Primitive.U64;
            case 0x76 -> Primitive.F32;
            case 0x75 -> Primitive.F64;
            case 0x74 -> Primitive.CHAR;
            case 0x73 -> Primitive.STRING;
            default -> null;
        };
    }

    /** A value type: a primitive opcode, or the index of a defined value type (a non-negative s33). */
    private WitType valType(Reader r) {
        int first = r.peek();
        if ((first & 0x80) == 0 && (first & 0x40) != 0) {
            // A one-byte negative s33: a type opcode.
            r.u8();
            Primitive p = primitive(first);
            if (p == null) {
                if (first == 0x64) {
                    throw refuse("the error-context type");
                }
                throw malformed("value type opcode 0x" + Integer.toHexString(first));
            }
            return p;
        }
        int index = r.u32("type index");
        Object type = type(index);
        if (type instanceof WitType w) {
            return w;
        }
        throw malformed("type " + index + " is " + (type instanceof FuncType ? "a function type" : type)
                + ", not a value type");
    }

    /** Refuses types whose expansion (shared subtrees counted each time) is too large or too deep. */
    private void checkWeight(WitType type) {
        int[] w = weight(type);
        if (w[0] > MAX_TYPE_NODES || w[1] > MAX_TYPE_DEPTH) {
            throw refuse("a value type of " + (w[0] > MAX_TYPE_NODES ? "more than " + MAX_TYPE_NODES + " nodes"
                    : "more than " + MAX_TYPE_DEPTH + " levels") + " (" + abbreviate(type) + ")");
        }
    }

    private int[] weight(WitType type) {
        int[] known = weights.get(type);
        if (known != null) {
            return known;
        }
        long nodes = 1;
        int depth = 0;
        List<WitType> children = new ArrayList<>();
        if (type instanceof WitType.ListType l) {
            children.add(l.element());
        } else if (type instanceof WitType.OptionType o) {
            children.add(o.type());
        } else if (WitType.fieldTypesOf(type) != null) {
            children.addAll(WitType.fieldTypesOf(type));
        } else if (WitType.casesOf(type) != null) {
            WitType.casesOf(type).stream().filter(c -> c.type() != null).forEach(c -> children.add(c.type()));
        }
        for (WitType child : children) {
            int[] cw = weight(child);
            nodes += cw[0];
            depth = Math.max(depth, cw[1]);
        }
        int[] result = {(int) Math.min(nodes, Integer.MAX_VALUE / 2), depth + 1};
        weights.put(type, result);
        return result;
    }

    private static String abbreviate(WitType type) {
        String s = String.valueOf(type);
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }

    private void canon(Reader r) {
        int op = r.u8();
        switch (op) {
            case 0x00 -> {
                if (r.u8() != 0x00) {
                    throw malformed("canon lift of a non-function sort");
                }
                int coreFunc = r.u32("core function index");
                if (coreFunc >= coreFuncs.size()) {
                    throw malformed("canon lift of core function " + coreFunc + " of " + coreFuncs.size());
                }
                Options options = options(r, "canon lift");
                int typeIndex = r.u32("type index");
                Object type = type(typeIndex);
                if (!(type instanceof FuncType ft)) {
                    throw malformed("canon lift with type " + typeIndex + ", which is not a function type");
                }
                if (!(coreFuncs.get(coreFunc) instanceof CoreRef core)) {
                    throw refuse("canon lift of a lowered import (core function " + coreFunc + ")");
                }
                funcs.add(new LiftedFunction(core, ft, options.memory, options.realloc, options.postReturn));
            }
            case 0x01 -> {
                if (r.u8() != 0x00) {
                    throw malformed("canon lower of a non-function sort");
                }
                int func = r.u32("function index");
                if (func >= funcs.size()) {
                    throw malformed("canon lower of function " + func + " of " + funcs.size());
                }
                if (!(funcs.get(func) instanceof ImportedFunction imported)) {
                    throw refuse("canon lower of component function " + func + ", which the component lifts itself"
                            + " (only imported functions are lowered)");
                }
                Options options = options(r, "canon lower of '" + imported.name() + "'");
                if (options.postReturn != null) {
                    throw malformed("canon lower of '" + imported.name() + "' with a post-return function");
                }
                coreFuncs.add(new LoweredFunction(imported, options.memory, options.realloc));
            }
            case 0x02 -> throw refuse("canon resource.new (resources)");
            case 0x03 -> throw refuse("canon resource.drop (resources)");
            case 0x04 -> throw refuse("canon resource.rep (resources)");
            case 0x05 -> throw refuse("canon task.cancel (async)");
            case 0x06 -> throw refuse("canon subtask.cancel (async)");
            case 0x07 -> throw refuse("canon resource.drop async (resources, async)");
            case 0x08 -> throw refuse("canon backpressure.set (async)");
            case 0x09 -> throw refuse("canon task.return (async)");
            case 0x0a -> throw refuse("canon context.get (async)");
            case 0x0b -> throw refuse("canon context.set (async)");
            case 0x0c -> throw refuse("canon yield (async)");
            case 0x0d -> throw refuse("canon subtask.drop (async)");
            default -> {
                if (op >= 0x0e && op <= 0x1f) {
                    throw refuse("canonical built-in 0x" + Integer.toHexString(op) + " (streams, futures, waitables or"
                            + " error contexts)");
                }
                throw refuse("canonical built-in 0x" + Integer.toHexString(op) + " (threads or another proposal)");
            }
        }
    }

    private record Options(CoreRef memory, CoreRef realloc, CoreRef postReturn) {
    }

    private Options options(Reader r, String where) {
        CoreRef memory = null;
        CoreRef realloc = null;
        CoreRef postReturn = null;
        int count = r.count("canonical options");
        for (int i = 0; i < count; i++) {
            int opt = r.u8();
            switch (opt) {
                case 0x00 -> { } // string-encoding=utf8, the default
                case 0x01 -> throw refuse(where + " with string-encoding=utf16 (only UTF-8 is supported)");
                case 0x02 -> throw refuse(where + " with string-encoding=latin1+utf16 (only UTF-8 is supported)");
                case 0x03 -> memory = ref(coreMemories, r.u32("memory index"), "memory", where);
                case 0x04 -> realloc = ref(coreFuncs, r.u32("function index"), "realloc function", where);
                case 0x05 -> postReturn = ref(coreFuncs, r.u32("function index"), "post-return function", where);
                case 0x06 -> throw refuse(where + " with the async option");
                case 0x07 -> throw refuse(where + " with an async callback");
                default -> throw refuse(where + " with canonical option 0x" + Integer.toHexString(opt));
            }
        }
        return new Options(memory, realloc, postReturn);
    }

    private CoreRef ref(List<? extends CoreItem> space, int index, String what, String where) {
        if (index >= space.size()) {
            throw malformed(what + " index " + index + " of " + space.size());
        }
        if (!(space.get(index) instanceof CoreRef ref)) {
            throw refuse(where + " whose " + what + " is a lowered import");
        }
        return ref;
    }

    /**
     * An import. A function import joins the function index space; whether a granted host function
     * satisfies it is decided when the component is planned for a plugin. A type import with an
     * {@code eq} bound names a type the component defines itself (wit-component writes a world's records
     * so), so there is nothing to supply and it aliases that type. Any other import is refused by name.
     */
    private void importDef(Reader r) {
        String name;
        try {
            name = externName(r);
        } catch (IllegalStateException e) {
            throw malformed("import " + e.getMessage());
        }
        int kind = r.u8();
        if (kind == 0x01) {
            int typeIndex = r.u32("type index");
            if (!(type(typeIndex) instanceof FuncType ft)) {
                throw malformed("function import '" + name + "' with type " + typeIndex + ", which is not a function"
                        + " type");
            }
            if (imports.stream().anyMatch(i -> i.name().equals(name))) {
                throw malformed("duplicate import '" + name + "'");
            }
            ImportedFunction imported = new ImportedFunction(name, ft);
            funcs.add(imported);
            imports.add(imported);
            return;
        }
        if (kind == 0x03 && r.peek() == 0x00) {
            r.u8();
            types.add(type(r.u32("type index")));
            return;
        }
        throw refuseImport(name, kind);
    }

    /** The refusal of an import that no capability can satisfy. */
    private PluginLoadException refuseImport(String name, int kind) {
        String what = switch (kind) {
            case 0x00 -> "core module";
            case 0x01 -> "function";
            case 0x02 -> "value";
            case 0x03 -> "type";
            case 0x04 -> "component";
            case 0x05 -> "instance";
            default -> "sort 0x" + Integer.toHexString(kind);
        };
        if (kind == 0x05) {
            return new PluginLoadException(pluginId, "component import '" + name + "' (instance) is not offered: Graft"
                    + " offers components no instance imports (WASI is not offered to components); a component may import"
                    + " only functions, each satisfied by a granted host function, and type aliases");
        }
        return new PluginLoadException(pluginId, "component import '" + name + "' (" + what + ") is not offered: a"
                + " component may import only functions, each satisfied by a granted host function, and type aliases");
    }

    private static String externName(Reader r) {
        int kind = r.u8();
        if (kind != 0x00 && kind != 0x01) {
            throw new IllegalStateException("name kind 0x" + Integer.toHexString(kind));
        }
        return r.name();
    }

    private void export(Reader r) {
        String name;
        try {
            name = externName(r);
        } catch (IllegalStateException e) {
            throw malformed("export " + e.getMessage());
        }
        int sort = r.u8();
        int coreSort = sort == 0x00 ? r.u8() : -1;
        int index = r.u32("export index");
        if (optional(r)) {
            skipExternDesc(r, name);
        }
        switch (sort) {
            case 0x01 -> {
                if (index >= funcs.size()) {
                    throw malformed("export '" + name + "' names function " + index + " of " + funcs.size());
                }
                if (!(funcs.get(index) instanceof LiftedFunction f)) {
                    throw refuse("an export '" + name + "' of the imported function '"
                            + ((ImportedFunction) funcs.get(index)).name() + "'");
                }
                if (exports.putIfAbsent(name, f) != null) {
                    throw malformed("duplicate export '" + name + "'");
                }
                funcs.add(f);
            }
            case 0x03 -> types.add(type(index));
            case 0x05 -> throw refuse("an exported instance '" + name + "' (an interface export); export functions"
                    + " from the world itself");
            default -> throw refuse("an exported " + sortName(sort, coreSort) + " '" + name + "'");
        }
    }

    private void skipExternDesc(Reader r, String name) {
        int kind = r.u8();
        switch (kind) {
            case 0x00 -> {
                r.u8();
                r.u32("type index");
            }
            case 0x01, 0x04, 0x05 -> r.u32("type index");
            case 0x03 -> {
                if (r.u8() == 0x00) {
                    r.u32("type index");
                } else {
                    throw refuse("export '" + name + "' of a resource type");
                }
            }
            default -> throw refuse("export '" + name + "' with extern descriptor 0x" + Integer.toHexString(kind));
        }
    }

    private PluginLoadException refuse(String construct) {
        return new PluginLoadException(pluginId, "the component uses " + construct + ", which Graft does not support");
    }

    private PluginLoadException malformed(String what) {
        return new PluginLoadException(pluginId, "not a valid component: " + what + " (at byte " + in.position() + ")");
    }

    /** A bounded cursor over the bytes; reading past its end is a malformed component, never an exception leak. */
    private final class Reader {
        private final byte[] bytes;
        private int pos;
        private final int end;

        Reader(byte[] bytes, int start, int end) {
            this.bytes = bytes;
            this.pos = start;
            this.end = end;
        }

        int position() {
            return pos;
        }

        int remaining() {
            return end - pos;
        }

        void skipRest() {
            pos = end;
        }

        int peek() {
            if (pos >= end) {
                throw new PluginLoadException(pluginId, "not a valid component: unexpected end at byte " + pos);
            }
            return bytes[pos] & 0xff;
        }

        int u8() {
            int b = peek();
            pos++;
            return b;
        }

        int u32(String what) {
            long result = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = u8();
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    if (result > Integer.MAX_VALUE) {
                        throw new PluginLoadException(pluginId, "not a valid component: " + what + " " + result
                                + " is too large (at byte " + pos + ")");
                    }
                    return (int) result;
                }
            }
            throw new PluginLoadException(pluginId, "not a valid component: " + what + " is not a u32 (at byte " + pos + ")");
        }

        /** A vector's length, checked against the bytes left (every element takes at least one). */
        int count(String what) {
            int count = u32(what);
            if (count > remaining()) {
                throw new PluginLoadException(pluginId, "not a valid component: " + count + " " + what + " declared in "
                        + remaining() + " bytes (at byte " + pos + ")");
            }
            return count;
        }

        byte[] bytes(int length, String what) {
            if (length > remaining()) {
                throw new PluginLoadException(pluginId, "not a valid component: " + what + " of " + length
                        + " bytes with " + remaining() + " left (at byte " + pos + ")");
            }
            byte[] out = java.util.Arrays.copyOfRange(bytes, pos, pos + length);
            pos += length;
            return out;
        }

        Reader sub(int length, String what) {
            if (length > remaining()) {
                throw new PluginLoadException(pluginId, "not a valid component: " + what + " of " + length
                        + " bytes with " + remaining() + " left (at byte " + pos + ")");
            }
            Reader r = new Reader(bytes, pos, pos + length);
            pos += length;
            return r;
        }

        String name() {
            int length = u32("name length");
            byte[] raw = bytes(length, "name");
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException e) {
                throw new PluginLoadException(pluginId, "not a valid component: a name that is not UTF-8 (at byte "
                        + pos + ")");
            }
        }
    }
}
