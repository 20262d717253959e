package dev.graft.host.component;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Memory;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.PluginTrapException;
import dev.graft.host.component.WitType.Case;
import dev.graft.host.component.WitType.Flat;
import dev.graft.host.component.WitType.Primitive;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canonical ABI for one call: lowers host values into a component's core values and linear memory
 * (allocating with its {@code realloc}) and lifts its core results back, with UTF-8 strings; and, for a
 * call of a host function the component imports, the other way round: lifts the arguments the guest
 * passes and lowers the host's result into its memory. Every
 * pointer and length the guest hands over is checked against the memory first; a bad one ends the call
 * as a {@link PluginTrapException}, never as an exception of the JVM's own.
 *
 * <p>Values on the host side: {@code bool} is a {@link Boolean}; {@code s8}, {@code u8}, {@code s16},
 * {@code u16}, {@code s32} and {@code char} (its code point) are {@link Integer}s; {@code u32},
 * {@code s64} and {@code u64} (as its bits) are {@link Long}s; {@code f32} a {@link Float}, {@code f64} a
 * {@link Double}, {@code string} a {@link String}, {@code list} a {@link List}, records and tuples an
 * {@code Object[]} of their fields, variants, enums, options and results a {@link CaseValue}, flags an
 * {@link Integer} bit set (label {@code i} is bit {@code i}).
 */
public final class CanonicalAbi {

    /** The ABI's limits on flat parameters and results; more travel through memory. */
    public static final int MAX_FLAT_PARAMS = 16;
    public static final int MAX_FLAT_RESULTS = 1;
    private static final long MAX_STRING_BYTES = (1L << 31) - 1;

    /** A value of a variant, enum, option or result: the case's index and its payload (or {@code null}). */
    public record CaseValue(int index, Object payload) {
    }

    private final String pluginId;
    private final String export;
    private final Memory memory;
    private final ExportFunction realloc;
    private final long maxInputBytes;
    private final long maxOutputBytes;
    private final java.util.function.LongConsumer bytesMoved;
    /** What lowered values are (for limit messages), what lifted ones are, and what traps are prefixed with. */
    private final String loweredWhat;
    private final String liftedWhat;
    private final String trapPrefix;
    private long lowered;
    private long lifted;

    /**
     * @param memory the memory of the lifted function's options, or {@code null} when its type needs none
     * @param realloc its {@code realloc}, or {@code null} when its parameters need no allocation
     * @param maxInputBytes how many bytes the lowered arguments may take in the guest's memory
     * @param maxOutputBytes how many bytes of the guest's memory the lifted results may span
     */
    public CanonicalAbi(String pluginId, String export, Memory memory, ExportFunction realloc, long maxInputBytes,
            long maxOutputBytes) {
        this(pluginId, export, memory, realloc, maxInputBytes, maxOutputBytes, null);
    }

    /**
     * As above, telling {@code bytesMoved} of every block of bytes the host copies into or out of the
     * guest's memory (to charge fuel per byte, as host functions are charged).
     */
    public CanonicalAbi(String pluginId, String export, Memory memory, ExportFunction realloc, long maxInputBytes,
            long maxOutputBytes, java.util.function.LongConsumer bytesMoved) {
        this(pluginId, export, memory, realloc, maxInputBytes, maxOutputBytes, bytesMoved, new Layouts());
    }

    /**
     * As above, with the layouts of earlier calls: an instance keeps one {@link Layouts} for all its calls, so
     * a call does not work out again the sizes, alignments and flattenings of the same types.
     */
    public CanonicalAbi(String pluginId, String export, Memory memory, ExportFunction realloc, long maxInputBytes,
            long maxOutputBytes, java.util.function.LongConsumer bytesMoved, Layouts layouts) {
        this(pluginId, export, memory, realloc, maxInputBytes, maxOutputBytes, bytesMoved,
                "arguments of '" + export + "'", "result of '" + export + "'", "canonical ABI: ", layouts);
    }

    private CanonicalAbi(String pluginId, String export, Memory memory, ExportFunction realloc, long maxInputBytes,
            long maxOutputBytes, java.util.function.LongConsumer bytesMoved, String loweredWhat, String liftedWhat,
            String trapPrefix, Layouts layouts) {
        this.layouts = layouts.byType;
        this.spilledTuples = layouts.spilled;
        this.loweredWhat = loweredWhat;
        this.liftedWhat = liftedWhat;
        this.trapPrefix = trapPrefix;
        this.bytesMoved = bytesMoved;
        this.pluginId = pluginId;
        this.export = export;
        this.memory = memory;
        this.realloc = realloc;
        this.maxInputBytes = maxInputBytes;
        this.maxOutputBytes = maxOutputBytes;
    }

    /**
     * The ABI of one call of host function {@code hostFunction}, imported by the component and called while
     * its export {@code export} runs: the arguments the guest passes are lifted (at most
     * {@code maxFromGuestBytes}), the result lowered into its memory (at most {@code maxToGuestBytes}).
     */
    static CanonicalAbi forImport(String pluginId, String export, String hostFunction, Memory memory,
            ExportFunction realloc, long maxToGuestBytes, long maxFromGuestBytes,
            java.util.function.LongConsumer bytesMoved, Layouts layouts) {
        return new CanonicalAbi(pluginId, export, memory, realloc, maxToGuestBytes, maxFromGuestBytes, bytesMoved,
                "result of host function '" + hostFunction + "'", "arguments of host function '" + hostFunction + "'",
                "canonical ABI, host function '" + hostFunction + "': ", layouts);
    }

    /** Whether a result of this type is passed in memory (it flattens to more than one core value). */
    boolean spills(WitType result) {
        return cachedFlatten(result).size() > MAX_FLAT_RESULTS;
    }

    // ---- Lowering (host value -> guest) ----

    /** The core arguments for a call of a function with these parameter types. */
    public long[] lowerParams(List<WitType> types, Object[] values) {
        List<Flat> flat = new ArrayList<>();
        for (WitType t : types) {
            flat.addAll(cachedFlatten(t));
        }
        if (flat.size() > MAX_FLAT_PARAMS) {
            WitType tuple = spilled(types);
            int ptr = allocate(cachedAlignment(tuple), cachedSize(tuple), "the spilled parameters");
            store(tuple, values, ptr);
            return new long[] {ptr};
        }
        long[] out = new long[flat.size()];
        int[] at = {0};
        for (int i = 0; i < types.size(); i++) {
            lowerFlat(types.get(i), values[i], out, at);
        }
        return out;
    }

    private void lowerFlat(WitType type, Object value, long[] out, int[] at) {
        if (type instanceof Primitive p) {
            switch (p) {
                case BOOL -> out[at[0]++] = (Boolean) value ? 1 : 0;
                case S8, U8, S16, U16, S32, CHAR -> out[at[0]++] = ((Integer) value) & 0xffffffffL;
                case U32 -> out[at[0]++] = ((Long) value) & 0xffffffffL;
                case S64, U64 -> out[at[0]++] = (Long) value;
                case F32 -> out[at[0]++] = Float.floatToRawIntBits((Float) value) & 0xffffffffL;
                case F64 -> out[at[0]++] = Double.doubleToRawLongBits((Double) value);
                case STRING -> {
                    long[] range = storeString((String) value);
                    out[at[0]++] = range[0];
                    out[at[0]++] = range[1];
                }
            }
            return;
        }
        if (type instanceof WitType.ListType l) {
            long[] range = storeList(l.element(), (List<?>) value);
            out[at[0]++] = range[0];
            out[at[0]++] = range[1];
            return;
        }
        if (type instanceof WitType.FlagsType) {
            out[at[0]++] = ((Integer) value) & 0xffffffffL;
            return;
        }
        List<WitType> fields = cachedFieldTypesOf(type);
        if (fields != null) {
            Object[] values = (Object[]) value;
            for (int i = 0; i < fields.size(); i++) {
                lowerFlat(fields.get(i), values[i], out, at);
            }
            return;
        }
        List<Case> cases = cachedCasesOf(type);
        CaseValue v = (CaseValue) value;
        out[at[0]++] = v.index();
        List<Flat> joined = cachedVariantPayloadFlat(type);
        int start = at[0];
        WitType payloadType = cases.get(v.index()).type();
        if (payloadType != null) {
            lowerFlat(payloadType, v.payload(), out, at);
            List<Flat> have = cachedFlatten(payloadType);
            for (int i = 0; i < have.size(); i++) {
                if (joined.get(i) == Flat.I64 && have.get(i) != Flat.I64 && have.get(i) != Flat.F64) {
                    out[start + i] &= 0xffffffffL; // a 32-bit value in a 64-bit slot is zero-extended
                }
            }
        }
        for (int i = at[0] - start; i < joined.size(); i++) {
            out[at[0]++] = 0;
        }
    }

    /**
     * The core results of a host function's result, when it flattens to at most one value (lowering
     * strings and lists into the guest's memory).
     */
    long[] lowerResult(WitType type, Object value) {
        if (type == null) {
            return new long[0];
        }
        long[] out = new long[cachedFlatten(type).size()];
        lowerFlat(type, value, out, new int[] {0});
        return out;
    }

    /** Stores a host function's result at the out-pointer the guest passed (a result of several flat values). */
    void storeResult(WitType type, Object value, int ptr) {
        checkAligned(ptr, cachedAlignment(type), "the result pointer");
        checkRange(ptr, cachedSize(type), "the result");
        countLowered(cachedSize(type));
        store(type, value, ptr);
    }

    private void countLowered(long size) {
        lowered += size;
        if (lowered > maxInputBytes) {
            throw new PluginPayloadException(pluginId, "max-input-bytes", maxInputBytes, lowered,
                    loweredWhat + " in the component's memory");
        }
        if (bytesMoved != null && size > 0) {
            bytesMoved.accept(size);
        }
    }

    /**
     * A block from the guest's {@code realloc}, checked. {@code kind} ("a string") is a constant: the message
     * naming the block and its size is built only when the check fails, not on every call.
     */
    private int allocate(int alignment, long size, String kind) {
        if (realloc == null || memory == null) {
            throw new IllegalStateException("lowering " + kind + " needs a memory and realloc; checked at load");
        }
        countLowered(size);
        long[] result = realloc.apply(0, 0, alignment, size);
        int ptr = (int) result[0];
        if ((Integer.toUnsignedLong(ptr) % alignment) != 0) {
            throw trap("realloc returned " + Integer.toUnsignedString(ptr) + " for " + kind + " of " + size
                    + " bytes, not aligned to " + alignment);
        }
        if (!inMemory(ptr, size)) {
            checkRange(ptr, size, "realloc's block for " + kind + " of " + size + " bytes");
        }
        return ptr;
    }

    private long[] storeString(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_STRING_BYTES) {
            throw trap("a string of " + utf8.length + " bytes is over the ABI's limit");
        }
        int ptr = allocate(1, utf8.length, "a string");
        memory.write(ptr, utf8);
        return new long[] {Integer.toUnsignedLong(ptr), utf8.length};
    }

    private long[] storeList(WitType element, List<?> values) {
        int size = cachedSize(element);
        long bytes = (long) values.size() * size;
        if (bytes >= (1L << 32)) {
            throw trap("a list of " + values.size() + " elements is over the ABI's limit");
        }
        int ptr = allocate(cachedAlignment(element), bytes, "a list");
        for (int i = 0; i < values.size(); i++) {
            checkInterrupt(i);
            store(element, values.get(i), ptr + i * size);
        }
        return new long[] {Integer.toUnsignedLong(ptr), values.size()};
    }

    /** Stores {@code value} at {@code ptr}, which the caller checked to be in bounds and aligned. */
    private void store(WitType type, Object value, int ptr) {
        if (type instanceof Primitive p) {
            switch (p) {
                case BOOL -> memory.writeByte(ptr, (byte) ((Boolean) value ? 1 : 0));
                case S8, U8 -> memory.writeByte(ptr, (byte) (int) (Integer) value);
                case S16, U16 -> memory.writeShort(ptr, (short) (int) (Integer) value);
                case S32, CHAR -> memory.writeI32(ptr, (Integer) value);
                case U32 -> memory.writeI32(ptr, (int) (long) (Long) value);
                case S64, U64 -> memory.writeLong(ptr, (Long) value);
                case F32 -> memory.writeI32(ptr, Float.floatToRawIntBits((Float) value));
                case F64 -> memory.writeLong(ptr, Double.doubleToRawLongBits((Double) value));
                case STRING -> {
                    long[] range = storeString((String) value);
                    memory.writeI32(ptr, (int) range[0]);
                    memory.writeI32(ptr + 4, (int) range[1]);
                }
            }
            return;
        }
        if (type instanceof WitType.ListType l) {
            long[] range = storeList(l.element(), (List<?>) value);
            memory.writeI32(ptr, (int) range[0]);
            memory.writeI32(ptr + 4, (int) range[1]);
            return;
        }
        if (type instanceof WitType.FlagsType) {
            storeInt(ptr, cachedSize(type), (Integer) value);
            return;
        }
        List<WitType> fields = cachedFieldTypesOf(type);
        if (fields != null) {
            Object[] values = (Object[]) value;
            int offset = 0;
            for (int i = 0; i < fields.size(); i++) {
                offset = WitType.alignTo(offset, cachedAlignment(fields.get(i)));
                store(fields.get(i), values[i], ptr + offset);
                offset += cachedSize(fields.get(i));
            }
            return;
        }
        List<Case> cases = cachedCasesOf(type);
        CaseValue v = (CaseValue) value;
        storeInt(ptr, WitType.discriminantSize(cases.size()), v.index());
        WitType payloadType = cases.get(v.index()).type();
        if (payloadType != null) {
            store(payloadType, v.payload(), ptr + cachedPayloadOffset(type));
        }
    }

    private void storeInt(int ptr, int bytes, int value) {
        switch (bytes) {
            case 1 -> memory.writeByte(ptr, (byte) value);
            case 2 -> memory.writeShort(ptr, (short) value);
            default -> memory.writeI32(ptr, value);
        }
    }

    // ---- Lifting (guest -> host value) ----

    /** The host value of a function's result from the core results ({@code null} when it has none). */
    public Object liftResult(WitType type, long[] results) {
        if (type == null) {
            return null;
        }
        List<Flat> flat = cachedFlatten(type);
        if (results == null || results.length < Math.min(flat.size(), MAX_FLAT_RESULTS)) {
            throw trap("the core function returned " + (results == null ? 0 : results.length) + " values");
        }
        if (flat.size() > MAX_FLAT_RESULTS) {
            int ptr = (int) results[0];
            checkAligned(ptr, cachedAlignment(type), "the result pointer");
            checkRange(ptr, cachedSize(type), "the result");
            countLifted(cachedSize(type));
            return load(type, ptr);
        }
        int[] at = {0};
        return liftFlat(type, results, at);
    }

    /**
     * The host values of parameters given as core values (the direction of {@code canon lower}, where the
     * guest calls the host): spilled parameters are read from the tuple the first value points to.
     */
    Object[] liftParams(List<WitType> types, long[] values) {
        List<Flat> flat = new ArrayList<>();
        for (WitType t : types) {
            flat.addAll(cachedFlatten(t));
        }
        if (flat.size() > MAX_FLAT_PARAMS) {
            WitType tuple = spilled(types);
            int ptr = (int) values[0];
            checkAligned(ptr, cachedAlignment(tuple), "the spilled parameters");
            checkRange(ptr, cachedSize(tuple), "the spilled parameters");
            countLifted(cachedSize(tuple));
            return (Object[]) load(tuple, ptr);
        }
        Object[] out = new Object[types.size()];
        int[] at = {0};
        for (int i = 0; i < out.length; i++) {
            out[i] = liftFlat(types.get(i), values, at);
        }
        return out;
    }

    /** Lifts one value from flat core values, starting at {@code at[0]} and moving it past them. */
    private Object liftFlat(WitType type, long[] values, int[] at) {
        if (type instanceof Primitive p) {
            long v = values[at[0]++];
            return switch (p) {
                case BOOL -> (int) v != 0;
                case S8 -> (int) (byte) v;
                case U8 -> (int) (v & 0xff);
                case S16 -> (int) (short) v;
                case U16 -> (int) (v & 0xffff);
                case S32 -> (int) v;
                case U32 -> v & 0xffffffffL;
                case S64, U64 -> v;
                case F32 -> canonical(Float.intBitsToFloat((int) v));
                case F64 -> canonical(Double.longBitsToDouble(v));
                case CHAR -> toChar((int) v);
                case STRING -> loadString((int) v, (int) values[at[0]++]);
            };
        }
        if (type instanceof WitType.ListType l) {
            int ptr = (int) values[at[0]++];
            int length = (int) values[at[0]++];
            return loadList(l.element(), ptr, length);
        }
        if (type instanceof WitType.FlagsType f) {
            return (int) values[at[0]++] & mask(f.labels().size());
        }
        List<WitType> fields = cachedFieldTypesOf(type);
        if (fields != null) {
            Object[] out = new Object[fields.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = liftFlat(fields.get(i), values, at);
            }
            return out;
        }
        List<Case> cases = cachedCasesOf(type);
        long disc = values[at[0]++] & 0xffffffffL;
        if (disc >= cases.size()) {
            throw trap("case " + disc + " of " + type + ", which has " + cases.size() + " cases");
        }
        List<Flat> joined = cachedVariantPayloadFlat(type);
        int start = at[0];
        WitType payloadType = cases.get((int) disc).type();
        Object payload = null;
        if (payloadType != null) {
            // In the long representation a 32-bit value in a wider joined slot is its low 32 bits.
            List<Flat> want = cachedFlatten(payloadType);
            long[] coerced = new long[want.size()];
            for (int i = 0; i < want.size(); i++) {
                long raw = values[start + i];
                coerced[i] = want.get(i) == Flat.I32 || want.get(i) == Flat.F32 ? raw & 0xffffffffL : raw;
            }
            payload = liftFlat(payloadType, coerced, new int[] {0});
        }
        at[0] = start + joined.size();
        return new CaseValue((int) disc, payload);
    }

    private static int mask(int labels) {
        return labels >= 32 ? -1 : (1 << labels) - 1;
    }

    private Object load(WitType type, int ptr) {
        if (type instanceof Primitive p) {
            return switch (p) {
                case BOOL -> memory.read(ptr) != 0;
                case S8 -> (int) memory.read(ptr);
                case U8 -> memory.read(ptr) & 0xff;
                case S16 -> (int) memory.readShort(ptr);
                case U16 -> memory.readShort(ptr) & 0xffff;
                case S32 -> memory.readInt(ptr);
                case U32 -> memory.readInt(ptr) & 0xffffffffL;
                case S64, U64 -> memory.readLong(ptr);
                case F32 -> canonical(Float.intBitsToFloat(memory.readInt(ptr)));
                case F64 -> canonical(Double.longBitsToDouble(memory.readLong(ptr)));
                case CHAR -> toChar(memory.readInt(ptr));
                case STRING -> loadString(memory.readInt(ptr), memory.readInt(ptr + 4));
            };
        }
        if (type instanceof WitType.ListType l) {
            return loadList(l.element(), memory.readInt(ptr), memory.readInt(ptr + 4));
        }
        if (type instanceof WitType.FlagsType f) {
            return loadInt(ptr, cachedSize(type)) & mask(f.labels().size());
        }
        List<WitType> fields = cachedFieldTypesOf(type);
        if (fields != null) {
            Object[] out = new Object[fields.size()];
            int offset = 0;
            for (int i = 0; i < out.length; i++) {
                offset = WitType.alignTo(offset, cachedAlignment(fields.get(i)));
                out[i] = load(fields.get(i), ptr + offset);
                offset += cachedSize(fields.get(i));
            }
            return out;
        }
        List<Case> cases = cachedCasesOf(type);
        long disc = loadInt(ptr, WitType.discriminantSize(cases.size())) & 0xffffffffL;
        if (disc >= cases.size()) {
            throw trap("case " + disc + " of " + type + ", which has " + cases.size() + " cases");
        }
        WitType payloadType = cases.get((int) disc).type();
        return new CaseValue((int) disc, payloadType == null ? null : load(payloadType, ptr + cachedPayloadOffset(type)));
    }

    private int loadInt(int ptr, int bytes) {
        return switch (bytes) {
            case 1 -> memory.read(ptr) & 0xff;
            case 2 -> memory.readShort(ptr) & 0xffff;
            default -> memory.readInt(ptr);
        };
    }

    private String loadString(int ptr, int length) {
        checkRange(ptr, Integer.toUnsignedLong(length), "a string");
        countLifted(Integer.toUnsignedLong(length));
        byte[] bytes = memory.readBytes(ptr, length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw trap("a string of " + length + " bytes at " + Integer.toUnsignedString(ptr) + " that is not valid UTF-8");
        }
    }

    private List<Object> loadList(WitType element, int ptr, int length) {
        int size = cachedSize(element);
        long bytes = Integer.toUnsignedLong(length) * size;
        checkAligned(ptr, cachedAlignment(element), "a list");
        if (!inMemory(ptr, bytes)) {   // the message names the element type: built only on failure
            checkRange(ptr, bytes, "a list of " + Integer.toUnsignedString(length) + " " + element);
        }
        countLifted(bytes);
        List<Object> out = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            checkInterrupt(i);
            out.add(load(element, ptr + i * size));
        }
        return out;
    }

    private void countLifted(long bytes) {
        lifted += bytes;
        if (lifted > maxOutputBytes) {
            throw new PluginPayloadException(pluginId, "max-output-bytes", maxOutputBytes, lifted,
                    liftedWhat + " in the component's memory");
        }
        if (bytesMoved != null && bytes > 0) {
            bytesMoved.accept(bytes);
        }
    }

    private Integer toChar(int codePoint) {
        if (Integer.toUnsignedLong(codePoint) >= 0x110000 || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
            throw trap("char " + Integer.toUnsignedString(codePoint) + " is not a Unicode scalar value");
        }
        return codePoint;
    }

    private static Float canonical(float f) {
        return Float.isNaN(f) ? Float.NaN : f;
    }

    private static Double canonical(double d) {
        return Double.isNaN(d) ? Double.NaN : d;
    }

    // ---- Layout, computed once per type (a guest's list may hold a million elements of one type) ----

    /**
     * The layouts (size, alignment, cases, fields, flattening) of the types an instance's calls met, by type
     * identity: a run-time object like the instance that keeps it, used by one thread at a time.
     */
    public static final class Layouts {
        private final Map<WitType, Object[]> byType = new IdentityHashMap<>();
        /** The tuple each parameter list spills as, by the list's identity, so its layout is found again. */
        private final Map<List<WitType>, WitType> spilled = new IdentityHashMap<>();
    }

    private final Map<WitType, Object[]> layouts;
    private final Map<List<WitType>, WitType> spilledTuples;

    /**
     * The tuple parameters of these types spill as: the same object for the same list, so that its layout
     * is worked out once (callers keep one list per function type).
     */
    private WitType spilled(List<WitType> types) {
        return spilledTuples.computeIfAbsent(types, WitType.TupleType::new);
    }

    private Object[] layout(WitType type) {
        return layouts.computeIfAbsent(type, t -> new Object[7]);
    }

    @SuppressWarnings("unchecked")
    private <T> T memo(WitType type, int slot, java.util.function.Supplier<T> compute) {
        Object[] l = layout(type);
        if (l[slot] == null) {
            l[slot] = compute.get();
        }
        return (T) l[slot];
    }

    private int cachedSize(WitType type) {
        return this.<Integer>memo(type, 0, () -> WitType.size(type));
    }

    private int cachedAlignment(WitType type) {
        return this.<Integer>memo(type, 1, () -> WitType.alignment(type));
    }

    private List<Case> cachedCasesOf(WitType type) {
        return memo(type, 2, () -> WitType.casesOf(type));
    }

    private List<WitType> cachedFieldTypesOf(WitType type) {
        Object[] l = layout(type);
        if (l[3] == null) {
            List<WitType> fields = WitType.fieldTypesOf(type);
            l[3] = fields == null ? NONE : fields;
        }
        return l[3] == NONE ? null : castList(l[3]);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> castList(Object o) {
        return (List<T>) o;
    }

    private static final Object NONE = new Object();

    private int cachedPayloadOffset(WitType type) {
        return this.<Integer>memo(type, 4, () -> WitType.payloadOffset(type));
    }

    private List<Flat> cachedFlatten(WitType type) {
        return memo(type, 5, () -> WitType.flatten(type));
    }

    private List<Flat> cachedVariantPayloadFlat(WitType variant) {
        return memo(variant, 6, () -> WitType.variantPayloadFlat(cachedCasesOf(variant)));
    }

    /** The watchdog's interrupt, checked while copying many elements (this work runs on the caller's thread). */
    private static void checkInterrupt(int i) {
        if ((i & 1023) == 1023 && Thread.currentThread().isInterrupted()) {
            throw new com.dylibso.chicory.runtime.ChicoryInterruptedException("Thread interrupted");
        }
    }

    private void checkAligned(int ptr, int alignment, String what) {
        if (Integer.toUnsignedLong(ptr) % alignment != 0) {
            throw trap(what + " at " + Integer.toUnsignedString(ptr) + " is not aligned to " + alignment);
        }
    }

    /** Whether {@code length} bytes at {@code ptr} (unsigned) lie in the memory, which exists. */
    private boolean inMemory(int ptr, long length) {
        return memory != null && Integer.toUnsignedLong(ptr) + length <= (long) memory.pages() * Memory.PAGE_SIZE;
    }

    private void checkRange(int ptr, long length, String what) {
        if (memory == null) {
            throw trap(what + " needs a memory, and the function has none");
        }
        long size = (long) memory.pages() * Memory.PAGE_SIZE;
        long start = Integer.toUnsignedLong(ptr);
        if (start + length > size) {
            throw trap(what + " at " + start + " of " + length + " bytes is outside the memory of " + size + " bytes");
        }
    }

    private PluginTrapException trap(String what) {
        return new PluginTrapException(pluginId, export, trapPrefix + what, null);
    }
}
