package dev.graft.host.metering;

import dev.graft.api.policy.CostModel;
/**
 * Rewrites one function body at a time: copies the original instructions and inserts fuel
 * accounting around them (see {@link FuelMetering} for the contract).
 *
 * <p>The remaining fuel arrives as a new last i64 parameter and lives in it while the function
 * runs (a JVM local in compiled Chicory, where each global access goes through the instance), so
 * the original locals after the parameters move up by one. Instructions are grouped into
 * straight-line segments; a segment's bytes are buffered until the segment ends, then written
 * after a single subtraction of the segment's total cost. One instance is reused for all bodies
 * of a module.
 */
final class FunctionRewriter {

    // Control frame kinds.
    private static final byte FRAME_FUNCTION = 0;
    private static final byte FRAME_BLOCK = 1;
    private static final byte FRAME_LOOP = 2;
    private static final byte FRAME_IF = 3;
    private static final byte FRAME_ELSE = 4;

    // How a segment is charged when control enters it.
    private static final int SEGMENT_ENTRY = 0; // function entry: charge the fuel parameter, check
    private static final int SEGMENT_PLAIN = 1; // charge only
    private static final int SEGMENT_LOOP_HEADER = 2; // charge, then check (bounds every loop)
    private static final int SEGMENT_DEAD = 3; // starts in dead code: never entered

    // Opcodes the injected code uses.
    private static final int BLOCK = 0x02;
    private static final int IF = 0x04;
    private static final int BR = 0x0C;
    private static final int END = 0x0B;
    private static final int RETURN = 0x0F;
    private static final int CALL = 0x10;
    private static final int CALL_INDIRECT = 0x11;
    private static final int REF_FUNC = 0xD2;
    private static final int EMPTY_BLOCK_TYPE = 0x40;
    private static final int LOCAL_GET = 0x20;
    private static final int LOCAL_SET = 0x21;
    private static final int LOCAL_TEE = 0x22;
    private static final int GLOBAL_GET = 0x23;
    private static final int GLOBAL_SET = 0x24;
    private static final int I64_CONST = 0x42;
    private static final int I64_LT_S = 0x53;
    private static final int I64_SUB = 0x7D;
    private static final int I64_MUL = 0x7E;
    private static final int I64_OR = 0x84;
    private static final int I64_SHL = 0x86;
    private static final int I64_SHR_U = 0x88;
    private static final int I32_WRAP_I64 = 0xA7;
    private static final int I64_EXTEND_I32_U = 0xAD;
    private static final int I32_REINTERPRET_F32 = 0xBC;
    private static final int F32_REINTERPRET_I32 = 0xBE;
    private static final int I64 = 0x7E;
    private static final int I32 = 0x7F;

    private final byte[] code;
    private final long instructionCost;
    private final long growPerPage;
    private final long bulkPerByte;
    private final long hostCallFixed;
    private final ModuleRewriter.Layout layout;
    private final int fuelGlobal;

    private final ByteSink body = new ByteSink(4096); // rewritten instructions of the current function
    private final ByteSink segment = new ByteSink(1024); // current segment, waiting for its charge
    private final ByteSink function = new ByteSink(4096); // locals + body, to measure its size

    private byte[] frameKinds = new byte[32];
    private boolean[] frameTargeted = new boolean[32];
    private int depth;
    /**
     * Depth of the frame whose remaining code is dead (after br, br_table, return, unreachable,
     * return_call*), or 0 while the code is live. Dead code, nested frames included, gets no
     * charges or checks: it never runs, and injected blocks there only add bytes (and can trip the
     * Chicory compiler bug described at {@link #checkAndPublishAtEnd}). It still gets what keeps it
     * valid: fuel arguments and results of calls, renumbered locals, returns as branches.
     */
    private int deadDepth;

    private int paramCount;
    private int self; // this function's index
    private boolean lowerSelfTailCalls; // see rewrite()
    private boolean selfTailCall; // a live or dead return_call of this function itself was kept
    private FuelReturn fuelReturn; // how this function returns fuel
    private int fuelLocal; // the fuel parameter
    private int scratchLocal; // i32, for dynamic charges
    private boolean scratchUsed;
    private int scratchWide; // i64, for unpacking a callee's result
    private boolean scratchWideUsed;
    private int segmentKind;
    private long segmentCount; // chargeable instructions in the current segment
    private long segmentExtra; // fuel units the current segment costs beyond its instructions
    private int copyFrom; // first input byte not yet copied into the segment

    FunctionRewriter(byte[] code, CostModel model, ModuleRewriter.Layout layout) {
        this.code = code;
        this.instructionCost = model.instructionCost();
        this.growPerPage = model.memoryGrowPerPage();
        this.bulkPerByte = model.bulkMemoryPerByte();
        this.hostCallFixed = model.hostCallFixed();
        this.layout = layout;
        this.fuelGlobal = layout.fuelGlobal;
    }

    /**
     * Rewrites the body in {@code code[start, end)} of function {@code index} with {@code paramCount}
     * parameters that returns fuel as {@code fuelReturn} says, and appends it, size-prefixed, to
     * {@code out}.
     *
     * <p>A {@code return_call} of a defined function stays a tail call. Chicory 1.7.5's interpreter
     * runs a tail call of a function to itself by resetting the frame's locals from the arguments,
     * which fails when the function has locals besides its parameters. So when the rewritten body
     * needs scratch locals the original did not have, it is rewritten once more with its self tail
     * calls lowered to call + return: the metered module then never fails where the original runs.
     */
    void rewrite(int index, int start, int end, int paramCount, FuelReturn fuelReturn, ByteSink out) {
        self = index;
        lowerSelfTailCalls = false;
        int mark = out.size();
        rewriteOnce(start, end, paramCount, fuelReturn, out);
        if (selfTailCall && (scratchUsed || scratchWideUsed)) {
            out.truncate(mark);
            lowerSelfTailCalls = true;
            rewriteOnce(start, end, paramCount, fuelReturn, out);
        }
    }

    private void rewriteOnce(int start, int end, int paramCount, FuelReturn fuelReturn, ByteSink out) {
        selfTailCall = false;
        WasmReader r = new WasmReader(code, start, end);
        int localEntries = r.index();
        int entriesStart = r.pos;
        long locals = paramCount;
        for (int i = 0; i < localEntries; i++) {
            locals += r.u32();
            FuelMetering.valueType(r);
        }
        int entriesEnd = r.pos;
        if (locals + 3 > Integer.MAX_VALUE) {
            throw r.malformed("too many locals");
        }
        this.paramCount = paramCount;
        this.fuelReturn = fuelReturn;
        fuelLocal = paramCount;
        scratchLocal = (int) locals + 1;
        scratchUsed = false;
        scratchWide = (int) locals + 2;
        scratchWideUsed = false;

        body.reset();
        segment.reset();
        depth = 0;
        deadDepth = 0;
        push(FRAME_FUNCTION);
        if (fuelReturn.packed()) {
            // Branches to the function's label now land at the end of this block, where the
            // result is packed with the fuel: no exit needs code of its own.
            body.u8(BLOCK).u8(fuelReturn.blockType);
        }
        segmentKind = SEGMENT_ENTRY;
        segmentCount = 0;
        segmentExtra = 0;
        copyFrom = r.pos;
        rewriteInstructions(r);

        function.reset();
        // The fuel is a parameter; the scratch locals go after the original ones.
        function.u32(localEntries + (scratchUsed || scratchWideUsed ? 2L : 0L));
        function.bytes(code, entriesStart, entriesEnd - entriesStart);
        if (scratchUsed || scratchWideUsed) {
            function.u8(1).u8(I32).u8(1).u8(I64);
        }
        function.bytes(body);
        out.u32(function.size()).bytes(function);
    }

    private void rewriteInstructions(WasmReader r) {
        while (true) {
            if (!r.hasMore()) {
                throw r.malformed("function body ends before its final 'end'");
            }
            int at = r.pos;
            int op = r.u8();
            switch (op) {
                case 0x00: // unreachable: traps anyway, no write-back needed
                    segmentCount++;
                    transfer(r.pos);
                    break;
                case 0x01: // nop
                    segmentCount++;
                    break;
                case 0x02: // block: no branch lands at its start, the segment goes on
                    blockType(r);
                    push(FRAME_BLOCK);
                    break;
                case 0x03: // loop: its start is a branch target, so it begins a checked segment
                    blockType(r);
                    push(FRAME_LOOP);
                    cut(r.pos, SEGMENT_LOOP_HEADER);
                    break;
                case 0x04: // if
                    blockType(r);
                    segmentCount++;
                    push(FRAME_IF);
                    cut(r.pos, SEGMENT_PLAIN);
                    break;
                case 0x05: // else
                    if (depth == 0 || frameKinds[depth - 1] != FRAME_IF) {
                        throw r.malformed("'else' outside an 'if'");
                    }
                    frameKinds[depth - 1] = FRAME_ELSE;
                    if (deadDepth == depth) { // the then-branch ended dead; the else-branch is live
                        deadDepth = 0;
                    }
                    cut(r.pos, SEGMENT_PLAIN);
                    break;
                case 0x0B: { // end
                    if (depth == 1) {
                        if (r.hasMore()) {
                            throw r.malformed("bytes after the function's final 'end'");
                        }
                        if (fuelReturn.packed()) { // this 'end' closes the block; then pack and end
                            flushSegment(r.pos);
                            refillIfNegative(body.u8(LOCAL_GET).u32(fuelLocal));
                            pack(body);
                            body.u8(END);
                        } else {
                            checkAndPublishAtEnd(at);
                            flushSegment(r.pos);
                        }
                        return;
                    }
                    if (deadDepth == depth) { // code after the frame is reachable again
                        deadDepth = 0;
                    }
                    depth--;
                    byte kind = frameKinds[depth];
                    // After an if (the false or then path lands here) or a block some branch
                    // targets, a new segment starts; after a loop or untargeted block, only
                    // fall-through arrives, so the segment simply continues.
                    if (kind == FRAME_IF || kind == FRAME_ELSE || (kind == FRAME_BLOCK && frameTargeted[depth])) {
                        cut(r.pos, SEGMENT_PLAIN);
                    }
                    break;
                }
                case 0x0C: // br
                    segmentCount++;
                    if (branchExitsFunction(r, r.index())) {
                        exitViaGlobal(at);
                    }
                    transfer(r.pos);
                    break;
                case 0x0D: // br_if
                    segmentCount++;
                    if (branchExitsFunction(r, r.index())) {
                        exitViaGlobal(at);
                    }
                    cut(r.pos, SEGMENT_PLAIN);
                    break;
                case 0x0E: { // br_table
                    segmentCount++;
                    int targets = r.index();
                    boolean exits = false;
                    for (long i = 0; i <= targets; i++) {
                        exits |= branchExitsFunction(r, r.index());
                    }
                    if (exits) {
                        exitViaGlobal(at);
                    }
                    transfer(r.pos);
                    break;
                }
                case 0x0F: // return
                    segmentCount++;
                    pending(at);
                    copyFrom = r.pos;
                    emitReturn();
                    transfer(r.pos);
                    break;
                case 0x10: { // call
                    int callee = r.index();
                    segmentCount++;
                    directCall(callee, at, r.pos);
                    break;
                }
                case 0x11: // call_indirect: through a wrapper or to a host function
                    r.index();
                    r.index();
                    segmentCount++;
                    emitCall(null, CALL_INDIRECT, at, r.pos);
                    break;
                case 0x12: { // return_call
                    int callee = r.index();
                    segmentCount++;
                    if (callee < layout.importedFunctions || (callee == self && lowerSelfTailCalls)) {
                        // A host function returns the original results, not the caller's fuel
                        // convention: lowered to call + return (a leaf; no deep chain to keep flat).
                        directCall(callee, at, r.pos);
                        emitReturn();
                    } else {
                        tailCall(callee, at, r.pos);
                    }
                    transfer(r.pos);
                    break;
                }
                case 0x13: // return_call_indirect: lowered (tables hold wrappers with the original results)
                    r.index();
                    r.index();
                    segmentCount++;
                    emitCall(null, CALL_INDIRECT, at, r.pos);
                    emitReturn();
                    transfer(r.pos);
                    break;
                case 0x1A: // drop
                case 0x1B: // select
                    segmentCount++;
                    break;
                case 0x1C: { // select t*
                    int types = r.index();
                    for (int i = 0; i < types; i++) {
                        FuelMetering.valueType(r);
                    }
                    segmentCount++;
                    break;
                }
                case 0x20: // local.get
                case 0x21: // local.set
                case 0x22: { // local.tee: locals after the parameters moved up by one
                    int local = r.index();
                    segmentCount++;
                    if (local >= paramCount) {
                        pending(at);
                        segment.u8(op).u32(local + 1L);
                        copyFrom = r.pos;
                    }
                    break;
                }
                case REF_FUNC: // a function as a value: its wrapper, which has the original signature
                    segmentCount++;
                    pending(at);
                    segment.u8(op).u32(layout.reference(r.index()));
                    copyFrom = r.pos;
                    break;
                case 0x23: // global.get
                case 0x24: // global.set
                case 0x25: // table.get
                case 0x26: // table.set
                case 0x3F: // memory.size
                    r.u32();
                    segmentCount++;
                    break;
                case 0x40: // memory.grow
                    r.u32();
                    segmentCount++;
                    chargeDynamic(at, growPerPage);
                    break;
                case 0x41: // i32.const
                    r.skipLeb(32);
                    segmentCount++;
                    break;
                case 0x42: // i64.const
                    r.skipLeb(64);
                    segmentCount++;
                    break;
                case 0x43: // f32.const
                    r.skip(4);
                    segmentCount++;
                    break;
                case 0x44: // f64.const
                    r.skip(8);
                    segmentCount++;
                    break;
                case 0xD0: // ref.null heaptype
                    r.skipLeb(33);
                    segmentCount++;
                    break;
                case 0xD1: // ref.is_null
                    segmentCount++;
                    break;
                case 0xFC:
                    miscPrefix(r, at);
                    break;
                case 0xFD:
                    simdPrefix(r);
                    break;
                case 0xFE:
                    atomicPrefix(r);
                    break;
                case 0x06: // try (legacy)
                case 0x07: // catch
                case 0x08: // throw
                case 0x09: // rethrow
                case 0x0A: // throw_ref
                case 0x18: // delegate
                case 0x19: // catch_all
                case 0x1F: // try_table
                    throw unsupported(at, op, "exception handling");
                case 0x14: // call_ref
                case 0x15: // return_call_ref
                case 0xD3: // ref.eq
                case 0xD4: // ref.as_non_null
                case 0xD5: // br_on_null
                case 0xD6: // br_on_non_null
                case 0xFB: // GC prefix
                    throw unsupported(at, op, "typed function references and GC");
                default:
                    if ((op >= 0x28 && op <= 0x3E)) { // loads and stores
                        memarg(r);
                        segmentCount++;
                    } else if (op >= 0x45 && op <= 0xC4) { // numeric, conversions, sign extension
                        segmentCount++;
                    } else {
                        throw unsupported(at, op, "unknown opcode");
                    }
            }
        }
    }

    /** 0xFC prefix: saturating truncation, bulk memory, table operations. */
    private void miscPrefix(WasmReader r, int at) {
        long sub = r.u32();
        segmentCount++;
        if (sub <= 7) { // trunc_sat
            return;
        }
        switch ((int) sub) {
            case 8: // memory.init data memory
                r.u32();
                r.u32();
                chargeDynamic(at, bulkPerByte);
                break;
            case 10: // memory.copy memory memory
                r.u32();
                r.u32();
                chargeDynamic(at, bulkPerByte);
                break;
            case 11: // memory.fill memory
                r.u32();
                chargeDynamic(at, bulkPerByte);
                break;
            case 12: // table.init elem table
            case 14: // table.copy table table
                r.u32();
                r.u32();
                break;
            case 9: // data.drop
            case 13: // elem.drop
            case 15: // table.grow
            case 16: // table.size
            case 17: // table.fill
                r.u32();
                break;
            default:
                throw unsupported(at, 0xFC, "0xFC sub-opcode " + sub);
        }
    }

    /** 0xFD prefix: fixed-width SIMD; each instruction counts once, only immediates differ. */
    private void simdPrefix(WasmReader r) {
        int at = r.pos - 1;
        long sub = r.u32();
        segmentCount++;
        if (sub <= 0x0B || sub == 0x5C || sub == 0x5D) { // loads, stores, load_zero
            memarg(r);
        } else if (sub == 0x0C || sub == 0x0D) { // v128.const, i8x16.shuffle
            r.skip(16);
        } else if (sub >= 0x15 && sub <= 0x22) { // extract / replace lane
            r.skip(1);
        } else if (sub >= 0x54 && sub <= 0x5B) { // load / store lane
            memarg(r);
            r.skip(1);
        } else if (sub > 0xFF) {
            throw unsupported(at, 0xFD, "relaxed SIMD sub-opcode 0x" + Long.toHexString(sub));
        }
    }

    /** 0xFE prefix: threads; all but atomic.fence take a memarg. */
    private void atomicPrefix(WasmReader r) {
        int at = r.pos - 1;
        long sub = r.u32();
        segmentCount++;
        if (sub == 0x03) { // atomic.fence
            r.skip(1);
        } else if (sub <= 0x02 || (sub >= 0x10 && sub <= 0x4E)) {
            memarg(r);
        } else {
            throw unsupported(at, 0xFE, "atomic sub-opcode 0x" + Long.toHexString(sub));
        }
    }

    private static void memarg(WasmReader r) {
        long align = r.u32();
        if ((align & 0x40) != 0) { // multi-memory: explicit memory index
            r.u32();
        }
        r.skipLeb(64); // offset
    }

    private static void blockType(WasmReader r) {
        int b = r.u8();
        if (b == EMPTY_BLOCK_TYPE) {
            return;
        }
        if ((b & 0x80) == 0) {
            if (b > EMPTY_BLOCK_TYPE) { // single value type
                r.pos--;
                FuelMetering.valueType(r);
            } // else: type index below 64 (multi-value)
            return;
        }
        r.pos--;
        if (r.signed(33) < 0) { // larger type index
            throw r.malformed("unsupported block type");
        }
    }

    private void push(byte kind) {
        if (depth == frameKinds.length) {
            frameKinds = java.util.Arrays.copyOf(frameKinds, depth * 2);
            frameTargeted = java.util.Arrays.copyOf(frameTargeted, depth * 2);
        }
        frameKinds[depth] = kind;
        frameTargeted[depth] = false;
        depth++;
    }

    /** Records a branch to {@code label}; true if it leaves the function (targets its body label). */
    private boolean branchExitsFunction(WasmReader r, int label) {
        if (label >= depth) {
            throw r.malformed("branch depth " + label + " exceeds nesting " + depth);
        }
        int frame = depth - 1 - label;
        frameTargeted[frame] = true;
        return frameKinds[frame] == FRAME_FUNCTION;
    }

    private static IllegalArgumentException unsupported(int at, int op, String what) {
        return new IllegalArgumentException("unsupported instruction 0x" + Integer.toHexString(op)
                + " at byte " + at + " (" + what + " is not supported by fuel metering)");
    }

    // ---- segments ------------------------------------------------------------------------

    /** Copies original bytes up to {@code upTo} into the current segment. */
    private void pending(int upTo) {
        segment.bytes(code, copyFrom, upTo - copyFrom);
        copyFrom = upTo;
    }

    /** Ends the current segment at {@code end} (after its last instruction); the next one begins there. */
    private void cut(int end, int nextKind) {
        flushSegment(end);
        segmentKind = deadDepth != 0 ? SEGMENT_DEAD : nextKind;
    }

    /** After an unconditional transfer ending at {@code end}: the rest of the frame is dead. */
    private void transfer(int end) {
        if (deadDepth == 0) {
            deadDepth = depth;
        }
        cut(end, SEGMENT_DEAD);
    }

    /** Writes the current segment's charge, then its buffered bytes. */
    private void flushSegment(int end) {
        pending(end);
        long cost = segmentCount * instructionCost + segmentExtra;
        switch (segmentKind) {
            case SEGMENT_ENTRY: // charge and check the fuel the caller passed: bounds recursion
            case SEGMENT_LOOP_HEADER: // charge and check: bounds every loop
                body.u8(LOCAL_GET).u32(fuelLocal);
                if (cost > 0) {
                    body.u8(I64_CONST).s64(cost).u8(I64_SUB).u8(LOCAL_TEE).u32(fuelLocal);
                }
                refillIfNegative(body);
                break;
            case SEGMENT_PLAIN:
                if (cost > 0) {
                    body.u8(LOCAL_GET).u32(fuelLocal).u8(I64_CONST).s64(cost).u8(I64_SUB)
                            .u8(LOCAL_SET).u32(fuelLocal);
                }
                break;
            default: // dead: never entered, nothing to charge
                break;
        }
        body.bytes(segment);
        segment.reset();
        segmentCount = 0;
        segmentExtra = 0;
    }

    /**
     * Consumes the i64 fuel value on the stack; if it is negative, the refill function tops the
     * local up from the reserve, or, when the budget is spent, publishes the total and traps.
     */
    private void refillIfNegative(ByteSink to) {
        to.u8(I64_CONST).u8(0).u8(I64_LT_S).u8(IF).u8(EMPTY_BLOCK_TYPE)
                .u8(LOCAL_GET).u32(fuelLocal).u8(CALL).u32(layout.refillFunction).u8(LOCAL_SET).u32(fuelLocal)
                .u8(END);
    }

    /** Into the segment: check the local, then write it to the global (before a host call or exit). */
    private void checkAndPublish() {
        refillIfNegative(segment.u8(LOCAL_GET).u32(fuelLocal));
        segment.u8(LOCAL_GET).u32(fuelLocal).u8(GLOBAL_SET).u32(fuelGlobal);
    }

    /** Before a branch that leaves a function returning fuel through the global: check and publish. */
    private void exitViaGlobal(int at) {
        if (fuelReturn.packed() || deadDepth != 0) {
            return; // a packing function's exits land at the end of its block
        }
        pending(at);
        checkAndPublish();
    }

    /**
     * A {@code return} (or the return after a lowered tail call), the original instruction already
     * skipped. A packing function branches to the end of its body block instead, which has the
     * original result types and leads to the one place that packs; that is needed in dead code too,
     * where a plain {@code return} would no longer type-check.
     */
    private void emitReturn() {
        if (fuelReturn.packed()) {
            segment.u8(BR).u32(depth - 1L);
            return;
        }
        if (deadDepth == 0) {
            checkAndPublish();
        }
        segment.u8(RETURN);
    }

    /**
     * Before the function's final 'end' (fuel returned through the global): check, then publish.
     * Not the other way round: Chicory 1.7.5's compiler fails on a function that branches to its
     * outermost label and whose last instruction before the final 'end' closes a block.
     */
    private void checkAndPublishAtEnd(int at) {
        if (deadDepth != 0) {
            return;
        }
        pending(at);
        checkAndPublish();
    }

    /** Packs the function's result (on the stack, if any) with the fuel local into one i64. */
    private void pack(ByteSink to) {
        if (fuelReturn == FuelReturn.ALONE) {
            to.u8(LOCAL_GET).u32(fuelLocal);
            return;
        }
        if (fuelReturn == FuelReturn.WITH_F32) {
            to.u8(I32_REINTERPRET_F32);
        }
        to.u8(I64_EXTEND_I32_U).u8(LOCAL_GET).u32(fuelLocal).u8(I64_CONST).u8(32).u8(I64_SHL).u8(I64_OR);
    }

    /**
     * The call instruction {@code code[at, end)}, re-emitted with opcode {@code opcode} (a tail call
     * becomes a plain call). {@code callee} says how a directly called Wasm function returns fuel;
     * null means the callee may be a host function (an import, or {@code call_indirect}, whose Wasm
     * targets are wrappers that use the global). A Wasm callee gets the fuel as its last argument
     * and checks it on entry; before a possible host call the caller checks and publishes the
     * fuel, so no host function runs on exhausted fuel and host charges land in the global, which
     * is reloaded after. Done in dead code too, where the changed signatures must still type-check.
     */
    private void emitCall(FuelReturn callee, int opcode, int at, int end) {
        pending(at);
        boolean live = deadDepth == 0;
        if (callee != null) {
            segment.u8(LOCAL_GET).u32(fuelLocal);
        } else if (live) {
            checkAndPublish();
        }
        segment.u8(opcode).bytes(code, at + 1, end - at - 1);
        copyFrom = end;
        if (callee == null || callee == FuelReturn.VIA_GLOBAL) {
            if (live || callee != null) {
                segment.u8(GLOBAL_GET).u32(fuelGlobal).u8(LOCAL_SET).u32(fuelLocal);
            }
        } else if (callee == FuelReturn.ALONE) {
            segment.u8(LOCAL_SET).u32(fuelLocal);
        } else { // split (fuel << 32) | result
            scratchWideUsed = true;
            segment.u8(LOCAL_TEE).u32(scratchWide).u8(I32_WRAP_I64);
            if (callee == FuelReturn.WITH_F32) {
                segment.u8(F32_REINTERPRET_I32);
            }
            segment.u8(LOCAL_GET).u32(scratchWide).u8(I64_CONST).u8(32).u8(I64_SHR_U).u8(LOCAL_SET).u32(fuelLocal);
        }
    }

    /**
     * The tail call {@code return_call callee} at {@code code[at, end)} of a defined function, kept a
     * tail call: the callee has the caller's result types, so it also returns fuel the caller's way,
     * straight to the caller's caller. The segment was charged when control entered it (the
     * {@code return_call} included) and the callee checks the fuel it is passed on entry.
     */
    private void tailCall(int callee, int at, int end) {
        pending(at);
        segment.u8(LOCAL_GET).u32(fuelLocal);
        segment.bytes(code, at, end - at);
        copyFrom = end;
        if (callee == self) {
            selfTailCall = true;
        }
    }

    /** The call (or lowered tail call) of function {@code callee} at {@code code[at, end)}, as a plain call. */
    private void directCall(int callee, int at, int end) {
        if (layout.fixedCostImport(callee)) {
            fixedCostCall(at, end);
        } else {
            emitCall(layout.returnOf(callee), CALL, at, end);
        }
    }

    /**
     * A call (or lowered tail call) at {@code code[at, end)} of an import whose whole cost is the fixed
     * host-call charge: that charge joins the segment's, and a check of the local before the call
     * keeps the host from running on exhausted fuel. The host does not see or charge the fuel, so
     * nothing is written back or reloaded.
     */
    private void fixedCostCall(int at, int end) {
        pending(at);
        if (deadDepth == 0) {
            segmentExtra += hostCallFixed;
            refillIfNegative(segment.u8(LOCAL_GET).u32(fuelLocal));
        }
        segment.u8(CALL).bytes(code, at + 1, end - at - 1);
        copyFrom = end;
    }

    /**
     * Before the instruction at {@code at}, whose top operand is an i32 amount (pages or bytes):
     * charge amount × {@code perUnit} and check at once, so the operation never runs unpaid. The
     * amount goes through the scratch local to stay on the stack.
     */
    private void chargeDynamic(int at, long perUnit) {
        if (perUnit == 0 || deadDepth != 0) {
            return;
        }
        scratchUsed = true;
        pending(at);
        segment.u8(LOCAL_SET).u32(scratchLocal)
                .u8(LOCAL_GET).u32(fuelLocal)
                .u8(LOCAL_GET).u32(scratchLocal).u8(I64_EXTEND_I32_U);
        if (perUnit != 1) {
            segment.u8(I64_CONST).s64(perUnit).u8(I64_MUL);
        }
        segment.u8(I64_SUB).u8(LOCAL_TEE).u32(fuelLocal);
        refillIfNegative(segment);
        segment.u8(LOCAL_GET).u32(scratchLocal);
    }
}
