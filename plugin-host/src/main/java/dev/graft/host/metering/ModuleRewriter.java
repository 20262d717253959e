package dev.graft.host.metering;

import dev.graft.api.policy.CostModel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * One rewrite of one module (see {@link FuelMetering} for the contract). Two passes: the first
 * reads every section to learn the types, the functions and which functions are referenced from
 * outside direct calls (exports, tables, globals, start); the second writes the module with every
 * defined function threaded (an extra i64 fuel parameter, fuel returned as {@link FuelReturn}
 * says), one wrapper with the original signature per referenced function, and the refill function.
 * New types, functions and globals are appended, so no existing index moves.
 */
final class ModuleRewriter {

    /**
     * The most fuel a function's counter holds at once: it must fit in the high half of a packed
     * i64 result. The rest of the budget waits in the reserve global; the refill function moves it
     * over when the counter runs out.
     */
    static final long COUNTER_LIMIT = Integer.MAX_VALUE;

    private static final int SECTION_CUSTOM = 0;
    private static final int SECTION_TYPE = 1;
    private static final int SECTION_IMPORT = 2;
    private static final int SECTION_FUNCTION = 3;
    private static final int SECTION_MEMORY = 5;
    private static final int SECTION_GLOBAL = 6;
    private static final int SECTION_EXPORT = 7;
    private static final int SECTION_START = 8;
    private static final int SECTION_ELEMENT = 9;
    private static final int SECTION_CODE = 10;
    private static final int SECTION_TAG = 13;

    /** Position of each known section id in the order the binary format requires (0 = unknown). */
    private static final int[] SECTION_RANK = new int[14];

    static {
        int[] order = {1, 2, 3, 4, 5, SECTION_TAG, 6, 7, 8, 9, 12, 10, 11};
        for (int i = 0; i < order.length; i++) {
            SECTION_RANK[order[i]] = i + 1;
        }
    }

    private static final byte[] FUEL_NAME = FuelMetering.FUEL_GLOBAL_EXPORT.getBytes(StandardCharsets.UTF_8);
    private static final byte[] RESERVE_NAME = FuelMetering.RESERVE_GLOBAL_EXPORT.getBytes(StandardCharsets.UTF_8);

    private final byte[] wasm;
    private final CostModel model;
    private final long counterLimit;
    private final Set<FuelMetering.Import> fixedCostImports;
    private final ByteSink out;
    private final ByteSink content = new ByteSink(256);

    // Learnt in the first pass.
    private final List<int[]> sections = new ArrayList<>(); // {id, headerStart, contentStart, end}
    private byte[][] typeParams = new byte[0][];
    private byte[][] typeResults = new byte[0][];
    private int[] functionTypes = new int[0];
    private boolean[] referenced = new boolean[0];
    private int importedFunctions;
    private final List<Boolean> fixedCost = new ArrayList<>(); // per imported function
    private int importedGlobals;
    private int definedGlobals;

    // Derived before the second pass.
    private Layout layout;
    private int[] threadedTypes; // original type index -> type index of its threaded form, or -1
    private int refillType;
    private int wrapperCount;

    /** @param counterLimit {@link #COUNTER_LIMIT}, or less to exercise the refill in tests */
    ModuleRewriter(byte[] wasm, CostModel model, long counterLimit, Set<FuelMetering.Import> fixedCostImports) {
        if (counterLimit < 1 || counterLimit > COUNTER_LIMIT) {
            throw new IllegalArgumentException("counter limit " + counterLimit + " outside 1.." + COUNTER_LIMIT);
        }
        this.wasm = wasm;
        this.model = model;
        this.counterLimit = counterLimit;
        this.fixedCostImports = fixedCostImports;
        this.out = new ByteSink(wasm.length + wasm.length / 4 + 64);
    }

    byte[] run() {
        scan();
        plan();
        out.bytes(wasm, 0, 8);
        boolean globalsDone = false;
        boolean exportsDone = false;
        for (int[] s : sections) {
            int id = s[0];
            if (id != SECTION_CUSTOM) {
                int rank = SECTION_RANK[id];
                if (!globalsDone && rank >= SECTION_RANK[SECTION_GLOBAL]) {
                    writeGlobals(id == SECTION_GLOBAL ? reader(s) : null);
                    globalsDone = true;
                }
                if (!exportsDone && rank >= SECTION_RANK[SECTION_EXPORT]) {
                    writeExports(id == SECTION_EXPORT ? reader(s) : null);
                    exportsDone = true;
                }
            }
            switch (id) {
                case SECTION_GLOBAL:
                case SECTION_EXPORT:
                    break; // written above
                case SECTION_TYPE:
                    writeTypes(s);
                    break;
                case SECTION_FUNCTION:
                    writeFunctions();
                    break;
                case SECTION_START:
                    content.reset();
                    content.u32(layout.reference(reader(s).index()));
                    out.section(SECTION_START, content);
                    break;
                case SECTION_ELEMENT:
                    elements(reader(s), content.reset());
                    out.section(SECTION_ELEMENT, content);
                    break;
                case SECTION_CODE:
                    writeCode(reader(s));
                    break;
                default: // custom sections (names, producers, …) and the rest: verbatim
                    out.bytes(wasm, s[1], s[3] - s[1]);
            }
        }
        if (!globalsDone) {
            writeGlobals(null);
        }
        if (!exportsDone) {
            writeExports(null);
        }
        return out.toByteArray();
    }

    private WasmReader reader(int[] section) {
        return new WasmReader(wasm, section[2], section[3]);
    }

    // ---- first pass --------------------------------------------------------------------------

    private void scan() {
        WasmReader r = new WasmReader(wasm, 0, wasm.length);
        if (wasm.length < 8 || r.u8() != 0x00 || r.u8() != 0x61 || r.u8() != 0x73 || r.u8() != 0x6D) {
            throw new IllegalArgumentException("not a Wasm module: missing \\0asm magic");
        }
        if (r.u8() != 1 || r.u8() != 0 || r.u8() != 0 || r.u8() != 0) {
            throw new IllegalArgumentException("unsupported Wasm binary version (only version 1 modules, not components)");
        }
        int lastRank = 0;
        boolean sawCode = false;
        while (r.hasMore()) {
            int headerStart = r.pos;
            int id = r.u8();
            int size = r.index();
            int start = r.pos;
            r.skip(size);
            int[] section = {id, headerStart, start, r.pos};
            sections.add(section);
            if (id == SECTION_CUSTOM) {
                continue;
            }
            int rank = id < SECTION_RANK.length ? SECTION_RANK[id] : 0;
            if (rank == 0) {
                throw new IllegalArgumentException("malformed Wasm module: unknown section id " + id + " at byte " + (start - 1));
            }
            if (rank <= lastRank) {
                throw new IllegalArgumentException("malformed Wasm module: section " + id + " duplicated or out of order");
            }
            lastRank = rank;
            WasmReader s = reader(section);
            switch (id) {
                case SECTION_TYPE:
                    readTypes(s);
                    break;
                case SECTION_IMPORT:
                    readImports(s);
                    break;
                case SECTION_FUNCTION:
                    readFunctions(s);
                    break;
                case SECTION_MEMORY:
                    readMemories(s);
                    break;
                case SECTION_GLOBAL:
                    globals(s, null);
                    break;
                case SECTION_EXPORT:
                    exports(s, null);
                    break;
                case SECTION_START:
                    reference(s.index(), s);
                    expectEnd(s, "start");
                    break;
                case SECTION_ELEMENT:
                    elements(s, null);
                    break;
                case SECTION_CODE:
                    sawCode = true;
                    break;
                default:
                    break;
            }
        }
        if (functionTypes.length > 0 && !sawCode) {
            throw new IllegalArgumentException("malformed Wasm module: " + functionTypes.length
                    + " functions declared but no code section");
        }
    }

    private void readTypes(WasmReader r) {
        int count = r.index();
        if (count > r.limit - r.pos) {
            throw r.malformed("type count " + count + " exceeds section size");
        }
        typeParams = new byte[count][];
        typeResults = new byte[count][];
        for (int i = 0; i < count; i++) {
            int form = r.u8();
            if (form != 0x60) {
                throw new IllegalArgumentException("unsupported Wasm type form 0x" + Integer.toHexString(form)
                        + " (GC proposal types are not supported by fuel metering)");
            }
            typeParams[i] = valueTypes(r);
            typeResults[i] = valueTypes(r);
        }
        expectEnd(r, "type");
    }

    private static byte[] valueTypes(WasmReader r) {
        int n = r.index();
        if (n > r.limit - r.pos) {
            throw r.malformed("value type count " + n + " exceeds section size");
        }
        byte[] types = new byte[n];
        for (int i = 0; i < n; i++) {
            types[i] = (byte) FuelMetering.valueType(r);
        }
        return types;
    }

    private void readImports(WasmReader r) {
        int count = r.index();
        for (int i = 0; i < count; i++) {
            int moduleStart = r.name();
            String module = new String(wasm, moduleStart, r.pos - moduleStart, StandardCharsets.UTF_8);
            int nameStart = r.name();
            String name = new String(wasm, nameStart, r.pos - nameStart, StandardCharsets.UTF_8);
            int kind = r.u8();
            switch (kind) {
                case 0x00: // function
                    r.index();
                    importedFunctions++;
                    fixedCost.add(fixedCostImports.contains(new FuelMetering.Import(module, name)));
                    break;
                case 0x01: // table
                    FuelMetering.valueType(r);
                    limits(r, "table");
                    break;
                case 0x02: // memory
                    limits(r, "memory");
                    break;
                case 0x03: // global
                    FuelMetering.valueType(r);
                    r.u8();
                    importedGlobals++;
                    break;
                case 0x04: // exception tag: copied as is (the tag index space is not rewritten)
                    r.u8(); // attribute
                    r.index(); // type
                    break;
                default:
                    throw new IllegalArgumentException("unsupported import kind 0x" + Integer.toHexString(kind)
                            + " of import '" + module + "." + name + "'");
            }
        }
        expectEnd(r, "import");
    }

    private void readFunctions(WasmReader r) {
        int count = r.index();
        if (count > r.limit - r.pos) {
            throw r.malformed("function count " + count + " exceeds section size");
        }
        functionTypes = new int[count];
        referenced = new boolean[count];
        for (int i = 0; i < count; i++) {
            int type = r.index();
            if (type >= typeParams.length) {
                throw r.malformed("function " + i + " has unknown type index " + type);
            }
            functionTypes[i] = type;
        }
        expectEnd(r, "function");
    }

    private void readMemories(WasmReader r) {
        int count = r.index();
        for (int i = 0; i < count; i++) {
            limits(r, "memory");
        }
        expectEnd(r, "memory");
    }

    private static void limits(WasmReader r, String what) {
        int flags = r.u8();
        if ((flags & 0x04) != 0) {
            throw new IllegalArgumentException(what + "64 is not supported by fuel metering");
        }
        if ((flags & ~0x03) != 0) {
            throw r.malformed("bad " + what + " limits flags 0x" + Integer.toHexString(flags));
        }
        r.u32();
        if ((flags & 0x01) != 0) {
            r.u32();
        }
    }

    /** A function index used as a value: first pass marks it, second pass maps it to its wrapper. */
    private int reference(int function, WasmReader r) {
        if (layout != null) {
            return layout.reference(function);
        }
        int defined = function - importedFunctions;
        if (defined >= 0) {
            if (defined >= functionTypes.length) {
                throw r.malformed("unknown function index " + function);
            }
            referenced[defined] = true;
        }
        return function;
    }

    // ---- sections read in the first pass and rewritten in the second (to == null: first pass) ----

    /** Reads (and with {@code to}, writes) the global entries, not their count. */
    private void globals(WasmReader r, ByteSink to) {
        int count = r.index();
        if (to == null) {
            definedGlobals = count;
        }
        for (int i = 0; i < count; i++) {
            int typeStart = r.pos;
            FuelMetering.valueType(r);
            r.u8(); // mutability
            if (to != null) {
                to.bytes(wasm, typeStart, r.pos - typeStart);
            }
            constExpr(r, to);
        }
        expectEnd(r, "global");
    }

    /** Reads (and with {@code to}, writes) the export entries; returns their count. */
    private int exports(WasmReader r, ByteSink to) {
        int count = r.index();
        for (int i = 0; i < count; i++) {
            int entryStart = r.pos;
            int nameStart = r.name();
            int nameEnd = r.pos;
            if (named(nameStart, r.pos, FUEL_NAME) || named(nameStart, r.pos, RESERVE_NAME)) {
                throw new IllegalArgumentException("module already exports '"
                        + new String(wasm, nameStart, r.pos - nameStart, StandardCharsets.UTF_8) + "' (already metered?)");
            }
            int kind = r.u8();
            int index = r.index();
            if (kind == 0x00) {
                if (index >= (long) importedFunctions + functionTypes.length) {
                    throw new IllegalArgumentException("malformed Wasm module: export '"
                            + new String(wasm, nameStart, nameEnd - nameStart, StandardCharsets.UTF_8)
                            + "' names function " + index + ", which does not exist");
                }
                index = reference(index, r);
            }
            if (to != null) {
                to.bytes(wasm, entryStart, nameEnd - entryStart).u8(kind).u32(index);
            }
        }
        expectEnd(r, "export");
        return count;
    }

    private boolean named(int from, int to, byte[] name) {
        return to - from == name.length && Arrays.equals(wasm, from, to, name, 0, name.length);
    }

    /** Element segments, in all eight encodings; function indices and {@code ref.func} are references. */
    private void elements(WasmReader r, ByteSink to) {
        int count = r.index();
        if (to != null) {
            to.u32(count);
        }
        for (int i = 0; i < count; i++) {
            long flags = r.u32();
            if (flags > 7) {
                throw r.malformed("element segment flags " + flags);
            }
            if (to != null) {
                to.u32(flags);
            }
            boolean passiveOrDeclarative = (flags & 0x01) != 0;
            boolean explicitTable = (flags & 0x02) != 0;
            boolean expressions = (flags & 0x04) != 0;
            if (!passiveOrDeclarative) {
                if (explicitTable) {
                    copyU32(r, to); // table index
                }
                constExpr(r, to); // offset
            }
            if (passiveOrDeclarative || explicitTable) {
                int kind = r.u8(); // elemkind 0x00, or a reference type
                if (expressions && kind != 0x70 && kind != 0x6F) {
                    throw new IllegalArgumentException("unsupported element reference type 0x"
                            + Integer.toHexString(kind) + " (typed references are not supported by fuel metering)");
                }
                if (to != null) {
                    to.u8(kind);
                }
            }
            int items = r.index();
            if (to != null) {
                to.u32(items);
            }
            for (int k = 0; k < items; k++) {
                if (expressions) {
                    constExpr(r, to);
                } else {
                    int function = reference(r.index(), r);
                    if (to != null) {
                        to.u32(function);
                    }
                }
            }
        }
        expectEnd(r, "element");
    }

    private static void copyU32(WasmReader r, ByteSink to) {
        long value = r.u32();
        if (to != null) {
            to.u32(value);
        }
    }

    /** A constant expression up to its {@code end}: copied, with {@code ref.func} mapped. */
    private void constExpr(WasmReader r, ByteSink to) {
        while (true) {
            int at = r.pos;
            int op = r.u8();
            switch (op) {
                case 0x0B: // end
                    if (to != null) {
                        to.u8(op);
                    }
                    return;
                case 0xD2: { // ref.func
                    int function = reference(r.index(), r);
                    if (to != null) {
                        to.u8(op).u32(function);
                    }
                    continue;
                }
                case 0x41: // i32.const
                    r.skipLeb(32);
                    break;
                case 0x42: // i64.const
                    r.skipLeb(64);
                    break;
                case 0x43: // f32.const
                    r.skip(4);
                    break;
                case 0x44: // f64.const
                    r.skip(8);
                    break;
                case 0x23: // global.get
                    r.u32();
                    break;
                case 0xD0: // ref.null
                    r.skipLeb(33);
                    break;
                case 0x6A: case 0x6B: case 0x6C: // i32.add, sub, mul (extended constant expressions)
                case 0x7C: case 0x7D: case 0x7E: // i64.add, sub, mul
                    break;
                case 0xFD: // v128.const
                    if (r.u32() != 0x0C) {
                        throw r.malformed("unsupported instruction in a constant expression");
                    }
                    r.skip(16);
                    break;
                default:
                    throw r.malformed("unsupported instruction 0x" + Integer.toHexString(op) + " in a constant expression");
            }
            if (to != null) {
                to.bytes(wasm, at, r.pos - at);
            }
        }
    }

    // ---- plan --------------------------------------------------------------------------------

    private void plan() {
        int defined = functionTypes.length;
        threadedTypes = new int[typeParams.length];
        Arrays.fill(threadedTypes, -1);
        int nextType = typeParams.length;
        FuelReturn[] returns = new FuelReturn[defined];
        for (int i = 0; i < defined; i++) {
            threadedTypes[functionTypes[i]] = 0; // used; numbered below, in type order like writeTypes
            returns[i] = FuelReturn.of(typeResults[functionTypes[i]]);
        }
        for (int t = 0; t < threadedTypes.length; t++) {
            if (threadedTypes[t] == 0) {
                threadedTypes[t] = nextType++;
            }
        }
        refillType = nextType;
        int[] wrappers = new int[defined];
        Arrays.fill(wrappers, -1);
        int next = importedFunctions + defined;
        for (int i = 0; i < defined; i++) {
            if (referenced[i]) {
                wrappers[i] = next++;
                wrapperCount++;
            }
        }
        long globals = (long) importedGlobals + definedGlobals;
        if (globals + 2 > Integer.MAX_VALUE || (long) next + 1 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("module too large to meter");
        }
        boolean[] fixed = new boolean[importedFunctions];
        for (int i = 0; i < fixed.length; i++) {
            fixed[i] = fixedCost.get(i);
        }
        layout = new Layout(importedFunctions, fixed, returns, wrappers, next, (int) globals, (int) globals + 1);
    }

    // ---- second pass -------------------------------------------------------------------------

    private void writeTypes(int[] section) {
        if (functionTypes.length == 0) {
            out.bytes(wasm, section[1], section[3] - section[1]);
            return;
        }
        WasmReader r = reader(section);
        int count = r.index();
        content.reset().u32((long) refillType + 1);
        content.bytes(wasm, r.pos, r.limit - r.pos);
        for (int t = 0; t < count; t++) {
            if (threadedTypes[t] >= 0) { // appended in type order, as plan() numbered them
                content.u8(0x60).u32(typeParams[t].length + 1L).bytes(typeParams[t], 0, typeParams[t].length).u8(0x7E);
                if (FuelReturn.of(typeResults[t]).packed()) {
                    content.u32(1).u8(0x7E);
                } else {
                    content.u32(typeResults[t].length).bytes(typeResults[t], 0, typeResults[t].length);
                }
            }
        }
        content.u8(0x60).u32(1).u8(0x7E).u32(1).u8(0x7E); // refill: (i64) -> i64
        out.section(SECTION_TYPE, content);
    }

    private void writeFunctions() {
        int defined = functionTypes.length;
        if (defined == 0) {
            content.reset().u32(0);
            out.section(SECTION_FUNCTION, content);
            return;
        }
        content.reset().u32((long) defined + wrapperCount + 1);
        for (int i = 0; i < defined; i++) {
            content.u32(threadedTypes[functionTypes[i]]);
        }
        for (int i = 0; i < defined; i++) {
            if (referenced[i]) {
                content.u32(functionTypes[i]);
            }
        }
        content.u32(refillType);
        out.section(SECTION_FUNCTION, content);
    }

    private void writeGlobals(WasmReader r) {
        content.reset().u32((long) definedGlobals + 2);
        if (r != null) {
            globals(r, content);
        }
        content.u8(0x7E).u8(0x01).u8(0x42).s64(model.startFuel()).u8(0x0B); // fuel: mutable i64
        content.u8(0x7E).u8(0x01).u8(0x42).u8(0).u8(0x0B); // reserve: mutable i64 = 0
        out.section(SECTION_GLOBAL, content);
    }

    private void writeExports(WasmReader r) {
        ByteSink entries = new ByteSink(256);
        int count = r == null ? 0 : exports(r, entries);
        content.reset().u32((long) count + 2).bytes(entries);
        content.u32(FUEL_NAME.length).bytes(FUEL_NAME, 0, FUEL_NAME.length).u8(0x03).u32(layout.fuelGlobal);
        content.u32(RESERVE_NAME.length).bytes(RESERVE_NAME, 0, RESERVE_NAME.length).u8(0x03).u32(layout.reserveGlobal);
        out.section(SECTION_EXPORT, content);
    }

    private void writeCode(WasmReader r) {
        int count = r.index();
        int defined = functionTypes.length;
        if (count != defined) {
            throw new IllegalArgumentException("malformed Wasm module: code section has " + count
                    + " bodies but the function section declares " + defined);
        }
        if (defined == 0) {
            expectEnd(r, "code");
            content.reset().u32(0);
            out.section(SECTION_CODE, content);
            return;
        }
        FunctionRewriter rewriter = new FunctionRewriter(wasm, model, layout);
        content.reset().u32((long) defined + wrapperCount + 1);
        for (int i = 0; i < defined; i++) {
            int size = r.index();
            int start = r.pos;
            r.skip(size);
            try {
                rewriter.rewrite(importedFunctions + i, start, r.pos, typeParams[functionTypes[i]].length, layout.returns[i],
                        content);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("function body " + i + ": " + e.getMessage(), e);
            }
        }
        expectEnd(r, "code");
        ByteSink body = new ByteSink(64);
        for (int i = 0; i < defined; i++) {
            if (referenced[i]) {
                wrapperBody(i, body.reset());
                content.u32(body.size()).bytes(body);
            }
        }
        refillBody(body.reset());
        content.u32(body.size()).bytes(body);
        out.section(SECTION_CODE, content);
    }

    /**
     * The entry a caller outside the threaded code uses (the host, a table, the start section): the
     * original signature, fuel taken from the global (moved into the counter's range first) and
     * written back after.
     */
    private void wrapperBody(int defined, ByteSink b) {
        int params = typeParams[functionTypes[defined]].length;
        FuelReturn ret = layout.returns[defined];
        int scratch = params;
        b.u32(1).u32(1).u8(0x7E); // one i64 local
        for (int p = 0; p < params; p++) {
            b.u8(0x20).u32(p);
        }
        b.u8(0x23).u32(layout.fuelGlobal).u8(0x22).u32(scratch)
                .u8(0x42).s64(counterLimit).u8(0x56) // i64.gt_u: negative or above the limit
                .u8(0x04).u8(0x40).u8(0x20).u32(scratch).u8(0x10).u32(layout.refillFunction).u8(0x21).u32(scratch).u8(0x0B)
                .u8(0x20).u32(scratch)
                .u8(0x10).u32(importedFunctions + defined);
        switch (ret) {
            case ALONE:
                b.u8(0x24).u32(layout.fuelGlobal);
                break;
            case WITH_I32:
            case WITH_F32:
                b.u8(0x22).u32(scratch).u8(0x42).u8(32).u8(0x88).u8(0x24).u32(layout.fuelGlobal) // i64.shr_u
                        .u8(0x20).u32(scratch).u8(0xA7); // i32.wrap_i64
                if (ret == FuelReturn.WITH_F32) {
                    b.u8(0xBE); // f32.reinterpret_i32
                }
                break;
            default: // the callee wrote the global
                break;
        }
        b.u8(0x0B);
    }

    /**
     * {@code refill(counter) -> counter}: called when a counter went negative (or, from a wrapper,
     * lies outside 0..limit). Adds the reserve; if the total is negative the budget is spent: the
     * total goes to the fuel global and the call traps. Otherwise it returns up to the limit, keeps
     * the rest in the reserve and writes the returned counter to the fuel global.
     */
    private void refillBody(ByteSink b) {
        int fuel = layout.fuelGlobal;
        int reserve = layout.reserveGlobal;
        b.u32(0)
                .u8(0x20).u32(0).u8(0x23).u32(reserve).u8(0x7C).u8(0x22).u32(0) // total = counter + reserve
                .u8(0x42).u8(0).u8(0x53) // i64.lt_s
                .u8(0x04).u8(0x40)
                .u8(0x20).u32(0).u8(0x24).u32(fuel).u8(0x42).u8(0).u8(0x24).u32(reserve).u8(0x00)
                .u8(0x0B)
                .u8(0x20).u32(0).u8(0x42).s64(counterLimit).u8(0x55) // i64.gt_s
                .u8(0x04).u8(0x7E)
                .u8(0x20).u32(0).u8(0x42).s64(counterLimit).u8(0x7D).u8(0x24).u32(reserve).u8(0x42).s64(counterLimit)
                .u8(0x05)
                .u8(0x42).u8(0).u8(0x24).u32(reserve).u8(0x20).u32(0)
                .u8(0x0B)
                // The fuel global gets the new counter too, so that fuel + reserve stays the fuel left:
                // after a trap the host reads it, and a stale fuel global beside the refilled reserve
                // would count the moved fuel twice (consumed read negative above 2^31 - 1).
                .u8(0x22).u32(0).u8(0x24).u32(fuel).u8(0x20).u32(0)
                .u8(0x0B);
    }

    private static void expectEnd(WasmReader r, String section) {
        if (r.hasMore()) {
            throw r.malformed(section + " section has trailing bytes");
        }
    }

    /** What the function rewriter needs to know about the rewritten module. */
    static final class Layout {
        final int importedFunctions;
        private final boolean[] fixedCost; // per imported function: charged in Wasm
        final FuelReturn[] returns; // per defined function
        private final int[] wrappers; // per defined function: its wrapper's index, or -1
        final int refillFunction;
        final int fuelGlobal;
        final int reserveGlobal;

        Layout(int importedFunctions, boolean[] fixedCost, FuelReturn[] returns, int[] wrappers, int refillFunction,
                int fuelGlobal, int reserveGlobal) {
            this.importedFunctions = importedFunctions;
            this.fixedCost = fixedCost;
            this.returns = returns;
            this.wrappers = wrappers;
            this.refillFunction = refillFunction;
            this.fuelGlobal = fuelGlobal;
            this.reserveGlobal = reserveGlobal;
        }

        /** The index to use where function {@code index} is a value (export, table, ref.func, start). */
        int reference(int index) {
            int defined = index - importedFunctions;
            if (defined < 0) {
                return index;
            }
            if (defined >= wrappers.length || wrappers[defined] < 0) {
                throw new IllegalArgumentException("function " + index
                        + " is referenced but not declared in an element segment, export or global");
            }
            return wrappers[defined];
        }

        /** Whether calls of imported function {@code index} are charged in Wasm (a fixed-cost import). */
        boolean fixedCostImport(int index) {
            return index < importedFunctions && fixedCost[index];
        }

        /** How a directly called function returns fuel, or null for an imported (host) function. */
        FuelReturn returnOf(int index) {
            int defined = index - importedFunctions;
            if (defined >= returns.length) {
                throw new IllegalArgumentException("call to unknown function " + index);
            }
            return defined < 0 ? null : returns[defined];
        }
    }
}
