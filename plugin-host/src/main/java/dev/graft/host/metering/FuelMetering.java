package dev.graft.host.metering;

import dev.graft.api.policy.CostModel;
import java.util.Objects;

/**
 * Injects deterministic fuel metering into a Wasm module's bytes, before Chicory parses them.
 * Chicory has no fuel of its own and its compiled mode ignores execution listeners, so the
 * accounting has to live in the Wasm code itself.
 *
 * <h2>Contract of the rewritten module</h2>
 * <ul>
 *   <li>It gains one mutable {@code i64} global, appended after all other globals and exported as
 *       {@value #FUEL_GLOBAL_EXPORT}. It holds the <em>remaining</em> fuel. The host sets it to the
 *       budget before a call and reads it after: consumed = budget − remaining. Its initial value is
 *       {@link CostModel#startFuel()}, the budget of the start function. Nothing else moves: no
 *       function, global, table, memory or type index changes, no import is added, and all other
 *       sections (data, elements, start, names, custom sections) are copied byte for byte.</li>
 *   <li><b>What is charged.</b> Every executed instruction of the original code costs
 *       {@link CostModel#instructionCost()}, except the structural markers {@code block},
 *       {@code loop}, {@code else} and {@code end}, which cost 0. {@code memory.grow} additionally
 *       costs pages × {@link CostModel#memoryGrowPerPage()}, and {@code memory.copy},
 *       {@code memory.fill} and {@code memory.init} cost size × {@link CostModel#bulkMemoryPerByte()}
 *       (operands read as unsigned i32, charged before the operation runs, whether it then succeeds,
 *       fails or traps). Injected code is free. So after a call that returned normally, consumed
 *       fuel is exactly the number of original instructions executed (times the cost) plus the
 *       dynamic charges; it depends only on the code path, never on timing or on the execution
 *       mode (interpreted and compiled Chicory agree to the unit).</li>
 *   <li><b>When it is charged.</b> Code is cut into straight-line segments (cut after {@code loop},
 *       {@code if}, {@code else}, {@code br_if}, after the {@code end} of an {@code if} and of a
 *       {@code block} that some branch targets, and after unconditional transfers). A segment's
 *       whole cost is subtracted when control enters it, from a per-function local copy of the
 *       fuel loaded from the global at function entry. So a host function called in the middle
 *       of a segment already sees that whole segment charged. Dead code (after an unconditional
 *       transfer, up to the end of its block) is never charged and gets no injected code.</li>
 *   <li><b>When it is checked.</b> The remaining fuel is compared with 0 at function entry
 *       (after the entry segment's charge; this bounds recursion), at every loop header (after
 *       that iteration's charge), before every call that may reach a host function (calls to
 *       imported functions, {@code call_indirect}, and their tail-call forms), at every function
 *       exit ({@code return}, the final {@code end}, a branch to the function's outermost label)
 *       and right after each dynamic charge (so a {@code memory.grow} or bulk operation the budget
 *       cannot pay for never runs). Before every call and exit the local is written back to the
 *       global; after a call it is reloaded, so callees and host functions see, and may charge,
 *       the current value. Between checks only bounded straight-line code runs, so every
 *       execution stops within a bounded overshoot, and no host function is entered with
 *       exhausted fuel.</li>
 *   <li><b>Exhaustion.</b> When a check finds the remaining fuel negative, the code writes that
 *       negative value into the global and executes {@code unreachable}: Chicory throws a trap
 *       (a {@code TrapException}, or an {@code UninstantiableException} around it during the start
 *       function). The host tells fuel exhaustion from a genuine trap by the global being &lt; 0.
 *       A genuine trap that happens after the local went negative but before the next check is
 *       reported as that genuine trap (the global still holds the last written value). Chicory
 *       runs the start function inside {@code Instance.Builder.build()}, before the host can
 *       touch the global; to read it after a failed instantiation, give the builder a
 *       {@code GlobalFactory} and keep the last global it creates (the fuel global is the
 *       module's last defined global).</li>
 *   <li>With enough fuel the module behaves exactly like the original: same results, traps and
 *       memory effects. One deliberate difference: {@code return_call} and
 *       {@code return_call_indirect} are lowered to a call followed by {@code return} (Chicory
 *       1.7.5's interpreter breaks on self tail calls in functions with extra locals, and its
 *       compiler does not run tail calls in constant stack anyway), so very deep tail-call chains
 *       in interpreted mode end in "call stack exhausted" as they already do in compiled mode.</li>
 *   <li>A call never returns normally with the global &lt; 0: a host function that overdraws the
 *       global makes the calling Wasm code trap at its next check.</li>
 * </ul>
 *
 * <h2>Supported input</h2>
 * MVP plus multi-value, bulk memory, reference types (funcref/externref), sign extension,
 * saturating truncation, tail calls, fixed-width SIMD, threads/atomics and multi-memory immediates.
 * Rejected with {@link IllegalArgumentException}: exception handling, typed function references
 * and GC, memory64/table64, relaxed SIMD, non-function type definitions, and any malformed bytes.
 * The pass checks structure (section bounds, instruction immediates, block nesting, branch
 * depths), not types: Chicory validates the result.
 */
public final class FuelMetering {

    /** Export name of the mutable i64 global holding the remaining fuel. */
    public static final String FUEL_GLOBAL_EXPORT = "graft_fuel";

    /** Version of the injected code's shape; part of {@link #cacheKey(CostModel)}. */
    static final int PASS_VERSION = 1;

    /** Identifies the bytes {@link #instrument} produces for a model: the pass version and the model's fields. */
    public static String cacheKey(CostModel model) {
        return "fuel-" + PASS_VERSION + ";" + model.cacheKey();
    }

    private static final byte[] FUEL_EXPORT_NAME = FUEL_GLOBAL_EXPORT.getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private static final int SECTION_CUSTOM = 0;
    private static final int SECTION_TYPE = 1;
    private static final int SECTION_IMPORT = 2;
    private static final int SECTION_FUNCTION = 3;
    private static final int SECTION_MEMORY = 5;
    private static final int SECTION_GLOBAL = 6;
    private static final int SECTION_EXPORT = 7;
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

    private FuelMetering() {
    }

    /**
     * Returns a copy of {@code wasm} with fuel metering injected as described in the class comment.
     *
     * @param wasm  a binary Wasm module (version 1)
     * @param model the costs to inject
     * @return the rewritten module bytes
     * @throws IllegalArgumentException if the bytes are malformed, use an unsupported feature, or
     *                                  already export {@value #FUEL_GLOBAL_EXPORT}
     */
    public static byte[] instrument(byte[] wasm, CostModel model) {
        Objects.requireNonNull(wasm, "wasm");
        Objects.requireNonNull(model, "model");
        return new ModuleRewrite(wasm, model).run();
    }

    /** One rewrite of one module: walks the sections once, copying or rewriting each. */
    private static final class ModuleRewrite {
        private final byte[] wasm;
        private final CostModel model;
        private final ByteSink out;
        private final ByteSink content = new ByteSink(256);

        private int[] typeParamCounts = new int[0];
        private int[] functionTypes = new int[0];
        private int importedFunctions;
        private int importedGlobals;
        private int definedGlobals;
        private boolean globalSectionDone;
        private boolean exportSectionDone;

        ModuleRewrite(byte[] wasm, CostModel model) {
            this.wasm = wasm;
            this.model = model;
            this.out = new ByteSink(wasm.length + wasm.length / 4 + 64);
        }

        byte[] run() {
            WasmReader r = new WasmReader(wasm, 0, wasm.length);
            if (wasm.length < 8
                    || r.u8() != 0x00 || r.u8() != 0x61 || r.u8() != 0x73 || r.u8() != 0x6D) {
                throw new IllegalArgumentException("not a Wasm module: missing \\0asm magic");
            }
            if (r.u8() != 1 || r.u8() != 0 || r.u8() != 0 || r.u8() != 0) {
                throw new IllegalArgumentException("unsupported Wasm binary version (only version 1 modules, not components)");
            }
            out.bytes(wasm, 0, 8);
            int lastRank = 0;
            while (r.hasMore()) {
                int headerStart = r.pos;
                int id = r.u8();
                int size = r.index();
                int start = r.pos;
                r.skip(size);
                int end = r.pos;
                if (id == SECTION_CUSTOM) {
                    out.bytes(wasm, headerStart, end - headerStart); // names, producers, …: verbatim
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
                emitMissingSectionsBefore(rank);
                WasmReader section = new WasmReader(wasm, start, end);
                switch (id) {
                    case SECTION_TYPE:
                        readTypes(section);
                        break;
                    case SECTION_IMPORT:
                        readImports(section);
                        break;
                    case SECTION_FUNCTION:
                        readFunctions(section);
                        break;
                    case SECTION_MEMORY:
                        readMemories(section);
                        break;
                    case SECTION_GLOBAL:
                        rewriteGlobals(section);
                        break;
                    case SECTION_EXPORT:
                        rewriteExports(section);
                        break;
                    case SECTION_CODE:
                        rewriteCode(section);
                        break;
                    default:
                        break;
                }
                if (id != SECTION_GLOBAL && id != SECTION_EXPORT && id != SECTION_CODE) {
                    out.bytes(wasm, headerStart, end - headerStart); // only read, copy verbatim
                }
            }
            emitMissingSectionsBefore(Integer.MAX_VALUE);
            return out.toByteArray();
        }

        /** Adds the global and export sections at their place if the module has none. */
        private void emitMissingSectionsBefore(int rank) {
            if (!globalSectionDone && rank > SECTION_RANK[SECTION_GLOBAL]) {
                content.reset();
                content.u32(1);
                appendFuelGlobal();
                out.section(SECTION_GLOBAL, content);
                globalSectionDone = true;
            }
            if (!exportSectionDone && rank > SECTION_RANK[SECTION_EXPORT]) {
                content.reset();
                content.u32(1);
                appendFuelExport();
                out.section(SECTION_EXPORT, content);
                exportSectionDone = true;
            }
        }

        private int fuelGlobalIndex() {
            long index = (long) importedGlobals + definedGlobals;
            if (index > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("too many globals");
            }
            return (int) index;
        }

        private void appendFuelGlobal() {
            content.u8(0x7E).u8(0x01); // i64, mutable
            content.u8(0x42).s64(model.startFuel()).u8(0x0B); // i64.const startFuel; end
        }

        private void appendFuelExport() {
            content.u32(FUEL_EXPORT_NAME.length).bytes(FUEL_EXPORT_NAME, 0, FUEL_EXPORT_NAME.length);
            content.u8(0x03).u32(fuelGlobalIndex()); // export kind global
        }

        private void readTypes(WasmReader r) {
            int count = r.index();
            typeParamCounts = new int[Math.min(count, r.limit - r.pos)];
            if (count > typeParamCounts.length) {
                throw r.malformed("type count " + count + " exceeds section size");
            }
            for (int i = 0; i < count; i++) {
                int form = r.u8();
                if (form != 0x60) {
                    throw new IllegalArgumentException("unsupported Wasm type form 0x" + Integer.toHexString(form)
                            + " (GC proposal types are not supported by fuel metering)");
                }
                int params = r.index();
                for (int p = 0; p < params; p++) {
                    valueType(r);
                }
                typeParamCounts[i] = params;
                int results = r.index();
                for (int p = 0; p < results; p++) {
                    valueType(r);
                }
            }
            expectEnd(r, "type");
        }

        private void readImports(WasmReader r) {
            int count = r.index();
            for (int i = 0; i < count; i++) {
                r.name();
                r.name();
                int kind = r.u8();
                switch (kind) {
                    case 0x00: // function
                        r.index();
                        importedFunctions++;
                        break;
                    case 0x01: // table
                        valueType(r);
                        limits(r, "table");
                        break;
                    case 0x02: // memory
                        limits(r, "memory");
                        break;
                    case 0x03: // global
                        valueType(r);
                        r.u8();
                        importedGlobals++;
                        break;
                    default:
                        throw new IllegalArgumentException("unsupported import kind 0x" + Integer.toHexString(kind)
                                + " (exception tags are not supported by fuel metering)");
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
            for (int i = 0; i < count; i++) {
                int type = r.index();
                if (type >= typeParamCounts.length) {
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

        private void rewriteGlobals(WasmReader r) {
            definedGlobals = r.index();
            content.reset();
            content.u32((long) definedGlobals + 1);
            content.bytes(wasm, r.pos, r.limit - r.pos); // existing globals verbatim
            appendFuelGlobal();
            out.section(SECTION_GLOBAL, content);
            globalSectionDone = true;
        }

        private void rewriteExports(WasmReader r) {
            int count = r.index();
            int entriesStart = r.pos;
            for (int i = 0; i < count; i++) {
                int nameStart = r.name();
                if (r.pos - nameStart == FUEL_EXPORT_NAME.length
                        && java.util.Arrays.equals(wasm, nameStart, r.pos, FUEL_EXPORT_NAME, 0, FUEL_EXPORT_NAME.length)) {
                    throw new IllegalArgumentException("module already exports '" + FUEL_GLOBAL_EXPORT
                            + "' (already metered?)");
                }
                r.u8();
                r.index();
            }
            expectEnd(r, "export");
            content.reset();
            content.u32((long) count + 1);
            content.bytes(wasm, entriesStart, r.limit - entriesStart);
            appendFuelExport();
            out.section(SECTION_EXPORT, content);
            exportSectionDone = true;
        }

        private void rewriteCode(WasmReader r) {
            int count = r.index();
            if (count != functionTypes.length) {
                throw new IllegalArgumentException("malformed Wasm module: code section has " + count
                        + " bodies but the function section declares " + functionTypes.length);
            }
            FunctionRewriter rewriter = new FunctionRewriter(wasm, model, fuelGlobalIndex(), importedFunctions);
            content.reset();
            content.u32(count);
            for (int i = 0; i < count; i++) {
                int size = r.index();
                int start = r.pos;
                r.skip(size);
                try {
                    rewriter.rewrite(start, r.pos, typeParamCounts[functionTypes[i]], content);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("function body " + i + ": " + e.getMessage(), e);
                }
            }
            expectEnd(r, "code");
            out.section(SECTION_CODE, content);
        }

        private static void expectEnd(WasmReader r, String section) {
            if (r.hasMore()) {
                throw r.malformed(section + " section has trailing bytes");
            }
        }
    }

    /** Reads one value type; only single-byte MVP, SIMD and reference types are supported. */
    static int valueType(WasmReader r) {
        int type = r.u8();
        switch (type) {
            case 0x7F: // i32
            case 0x7E: // i64
            case 0x7D: // f32
            case 0x7C: // f64
            case 0x7B: // v128
            case 0x70: // funcref
            case 0x6F: // externref
                return type;
            default:
                r.pos--;
                throw new IllegalArgumentException("unsupported value type 0x" + Integer.toHexString(type)
                        + " at byte " + r.pos + " (typed references and GC are not supported by fuel metering)");
        }
    }
}
