package dev.graft.host.component;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.graft.api.PluginPayloadException;
import dev.graft.api.PluginTrapException;
import dev.graft.host.component.CanonicalAbi.CaseValue;
import dev.graft.host.component.WitType.Case;
import dev.graft.host.component.WitType.Field;
import dev.graft.host.component.WitType.Primitive;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The canonical ABI against a plain memory and a bump allocator: every value kind lowered and lifted
 * back, flat and spilled; the layout of known types byte for byte; and every bad pointer or length a
 * guest could hand over refused as a trap.
 */
class CanonicalAbiTest {

    private final Memory memory = new ByteArrayMemory(new MemoryLimits(1, 4));
    private int heap = 16;
    private final List<long[]> reallocCalls = new ArrayList<>();
    private final ExportFunction bump = args -> {
        reallocCalls.add(args.clone());
        int align = (int) args[2];
        int size = (int) args[3];
        int p = (heap + align - 1) / align * align;
        heap = p + size;
        return new long[] {p};
    };

    private CanonicalAbi abi() {
        return new CanonicalAbi("abi-test", "f", memory, bump, 1 << 20, 1 << 20);
    }

    static final WitType MONEY = new WitType.RecordType(List.of(new Field("currency", Primitive.STRING),
            new Field("amount", Primitive.STRING)));
    static final WitType SHAPE = new WitType.VariantType(List.of(new Case("count", Primitive.U32),
            new Case("ratio", Primitive.F64), new Case("label", Primitive.STRING), new Case("nothing", null),
            new Case("small", Primitive.F32)));

    /** (type, value) pairs covering every kind, with boundary numbers and non-ASCII text. */
    static List<Object[]> samples() {
        List<Object[]> s = new ArrayList<>();
        s.add(new Object[] {Primitive.BOOL, true});
        s.add(new Object[] {Primitive.BOOL, false});
        s.add(new Object[] {Primitive.S8, -128});
        s.add(new Object[] {Primitive.U8, 255});
        s.add(new Object[] {Primitive.S16, -32768});
        s.add(new Object[] {Primitive.U16, 65535});
        s.add(new Object[] {Primitive.S32, Integer.MIN_VALUE});
        s.add(new Object[] {Primitive.U32, 0xffffffffL});
        s.add(new Object[] {Primitive.S64, Long.MIN_VALUE});
        s.add(new Object[] {Primitive.U64, -1L});
        s.add(new Object[] {Primitive.F32, -0.0f});
        s.add(new Object[] {Primitive.F32, Float.MAX_VALUE});
        s.add(new Object[] {Primitive.F64, Double.MIN_VALUE});
        s.add(new Object[] {Primitive.F64, Double.NaN});
        s.add(new Object[] {Primitive.CHAR, 0x1F600});
        s.add(new Object[] {Primitive.STRING, ""});
        s.add(new Object[] {Primitive.STRING, "Zoë Müller ✓ 😀"});
        s.add(new Object[] {new WitType.ListType(Primitive.U8), List.of(0, 1, 255)});
        s.add(new Object[] {new WitType.ListType(Primitive.STRING), List.of()});
        s.add(new Object[] {new WitType.ListType(MONEY), List.of(new Object[] {"EUR", "-1.50"}, new Object[] {"€", ""})});
        s.add(new Object[] {MONEY, new Object[] {"USD", "19.99"}});
        s.add(new Object[] {new WitType.TupleType(List.of(Primitive.U8, Primitive.F64, Primitive.STRING)),
                new Object[] {7, 2.5, "x"}});
        s.add(new Object[] {SHAPE, new CaseValue(0, 0xfffffffeL)});
        s.add(new Object[] {SHAPE, new CaseValue(1, -3.25)});
        s.add(new Object[] {SHAPE, new CaseValue(2, "ß")});
        s.add(new Object[] {SHAPE, new CaseValue(3, null)});
        s.add(new Object[] {SHAPE, new CaseValue(4, 1.5f)});
        s.add(new Object[] {new WitType.EnumType(List.of("a", "b", "c")), new CaseValue(2, null)});
        s.add(new Object[] {new WitType.OptionType(Primitive.STRING), new CaseValue(0, null)});
        s.add(new Object[] {new WitType.OptionType(new WitType.OptionType(Primitive.S64)),
                new CaseValue(1, new CaseValue(1, -5L))});
        s.add(new Object[] {new WitType.ResultType(new WitType.ListType(MONEY), Primitive.STRING),
                new CaseValue(1, "no")});
        s.add(new Object[] {new WitType.ResultType(null, null), new CaseValue(0, null)});
        s.add(new Object[] {new WitType.FlagsType(List.of("r", "w", "x")), 0b101});
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            many.add("f" + i);
        }
        s.add(new Object[] {new WitType.FlagsType(many), 0x80000001});
        return s;
    }

    @Test
    void everyKindRoundTripsFlat() {
        for (Object[] sample : samples()) {
            WitType type = (WitType) sample[0];
            CanonicalAbi abi = abi();
            long[] flat = abi.lowerParams(List.of(type), new Object[] {sample[1]});
            assertEquals(WitType.flatten(type).size(), flat.length, type.toString());
            Object back = abi.liftParams(List.of(type), flat)[0];
            assertDeepEquals(sample[1], back, type.toString());
        }
    }

    @Test
    void everyKindRoundTripsThroughMemoryWhenParametersSpill() {
        // Seventeen u64 after the value push the flat count over MAX_FLAT_PARAMS: all of it goes to memory.
        for (Object[] sample : samples()) {
            WitType type = (WitType) sample[0];
            List<WitType> types = new ArrayList<>();
            types.add(type);
            Object[] values = new Object[18];
            values[0] = sample[1];
            for (int i = 1; i < 18; i++) {
                types.add(Primitive.U64);
                values[i] = (long) i * 0x0101010101L;
            }
            CanonicalAbi abi = abi();
            long[] flat = abi.lowerParams(types, values);
            assertEquals(1, flat.length, "spilled to one pointer: " + type);
            Object[] back = abi.liftParams(types, flat);
            assertDeepEquals(values, back, type.toString());
        }
    }

    @Test
    void aStringResultIsReadWhereThePointerSays() {
        byte[] utf8 = "grüße".getBytes(StandardCharsets.UTF_8);
        memory.write(100, utf8);
        memory.writeI32(200, 100);
        memory.writeI32(204, utf8.length);
        // A string result flattens to two values: the core function returns a pointer to (ptr, len).
        assertEquals("grüße", abi().liftResult(Primitive.STRING, new long[] {200}));
    }

    @Test
    void layoutMatchesTheSpecification() {
        // record { a: u8, b: u32, c: u16 }: a@0, b@4, c@8, size 12, align 4.
        WitType r = new WitType.RecordType(List.of(new Field("a", Primitive.U8), new Field("b", Primitive.U32),
                new Field("c", Primitive.U16)));
        assertEquals(12, WitType.size(r));
        assertEquals(4, WitType.alignment(r));
        // option<u64>: discriminant u8, payload at 8, size 16.
        WitType o = new WitType.OptionType(Primitive.U64);
        assertEquals(16, WitType.size(o));
        assertEquals(8, WitType.payloadOffset(o));
        // result<list<adjustment>, string>: 12 bytes, flat [i32 i32 i32].
        WitType res = new WitType.ResultType(new WitType.ListType(MONEY), Primitive.STRING);
        assertEquals(12, WitType.size(res));
        assertEquals(List.of(WitType.Flat.I32, WitType.Flat.I32, WitType.Flat.I32), WitType.flatten(res));
        // variant { u32, f64, string, -, f32 }: joined payload [i64 (u32|f64), i32 (string len)].
        assertEquals(List.of(WitType.Flat.I32, WitType.Flat.I64, WitType.Flat.I32), WitType.flatten(SHAPE));
        // 300 cases need a u16 discriminant.
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            cases.add(new Case("c" + i, null));
        }
        assertEquals(2, WitType.size(new WitType.VariantType(cases)));
        // flags: 9 labels take 2 bytes.
        assertEquals(2, WitType.size(new WitType.FlagsType(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i"))));
    }

    @Test
    void storedRecordBytesAreLittleEndianAtAlignedOffsets() {
        WitType r = new WitType.RecordType(List.of(new Field("a", Primitive.U8), new Field("b", Primitive.U32),
                new Field("c", Primitive.U16)));
        List<WitType> types = new ArrayList<>(List.of(r));
        Object[] values = new Object[17];
        values[0] = new Object[] {0xAB, 0x01020304L, 0xBEEF};
        for (int i = 1; i < 17; i++) {
            types.add(Primitive.U64);
            values[i] = 0L;
        }
        int ptr = (int) abi().lowerParams(types, values)[0];
        assertEquals((byte) 0xAB, memory.read(ptr));
        assertEquals(0x01020304, memory.readInt(ptr + 4));
        assertEquals((short) 0xBEEF, memory.readShort(ptr + 8));
        // The spilled tuple was allocated with its alignment (8, for the u64s) and size in one realloc call.
        long[] call = reallocCalls.get(0);
        assertArrayEquals(new long[] {0, 0, 8, 12 + 4 + 16 * 8}, call);
    }

    @Test
    void aStringOutsideTheMemoryIsATrap() {
        memory.writeI32(200, 65530);
        memory.writeI32(204, 100);
        PluginTrapException e = assertThrows(PluginTrapException.class,
                () -> abi().liftResult(Primitive.STRING, new long[] {200}));
        assertTrue(e.getMessage().contains("outside the memory"), e.getMessage());
        // A negative (huge unsigned) pointer is no ArrayIndexOutOfBounds either.
        memory.writeI32(200, -8);
        memory.writeI32(204, 4);
        assertThrows(PluginTrapException.class, () -> abi().liftResult(Primitive.STRING, new long[] {200}));
        // Nor a result pointer past the end.
        assertThrows(PluginTrapException.class, () -> abi().liftResult(Primitive.STRING, new long[] {65535}));
    }

    @Test
    void malformedGuestDataIsATrap() {
        // Invalid UTF-8.
        memory.write(100, new byte[] {(byte) 0xC3, 0x28});
        memory.writeI32(200, 100);
        memory.writeI32(204, 2);
        assertTrue(assertThrows(PluginTrapException.class, () -> abi().liftResult(Primitive.STRING, new long[] {200}))
                .getMessage().contains("UTF-8"));
        // A misaligned list of u32.
        memory.writeI32(200, 101);
        memory.writeI32(204, 1);
        assertTrue(assertThrows(PluginTrapException.class,
                () -> abi().liftResult(new WitType.ListType(Primitive.U32), new long[] {200})).getMessage()
                .contains("aligned"));
        // A list longer than the memory (length * size overflows 32 bits).
        memory.writeI32(200, 0);
        memory.writeI32(204, 0x7fffffff);
        assertThrows(PluginTrapException.class,
                () -> abi().liftResult(new WitType.ListType(Primitive.U64), new long[] {200}));
        // A discriminant past the cases, a surrogate char, a misaligned result pointer.
        assertThrows(PluginTrapException.class,
                () -> abi().liftResult(new WitType.EnumType(List.of("a", "b")), new long[] {2}));
        assertThrows(PluginTrapException.class, () -> abi().liftResult(Primitive.CHAR, new long[] {0xD800}));
        assertThrows(PluginTrapException.class, () -> abi().liftResult(MONEY, new long[] {201}));
    }

    @Test
    void reallocReturningABadBlockIsATrap() {
        ExportFunction outside = args -> new long[] {65536 - 2};
        CanonicalAbi abi = new CanonicalAbi("abi-test", "f", memory, outside, 1 << 20, 1 << 20);
        assertThrows(PluginTrapException.class, () -> abi.lowerParams(List.of(Primitive.STRING), new Object[] {"four"}));
        ExportFunction misaligned = args -> new long[] {3};
        CanonicalAbi abi2 = new CanonicalAbi("abi-test", "f", memory, misaligned, 1 << 20, 1 << 20);
        assertThrows(PluginTrapException.class,
                () -> abi2.lowerParams(List.of(new WitType.ListType(Primitive.U32)), new Object[] {List.of(1L)}));
    }

    @Test
    void payloadCapsBoundWhatCrosses() {
        CanonicalAbi small = new CanonicalAbi("abi-test", "f", memory, bump, 8, 8);
        PluginPayloadException in = assertThrows(PluginPayloadException.class,
                () -> small.lowerParams(List.of(Primitive.STRING), new Object[] {"more than eight"}));
        assertTrue(in.getMessage().contains("max-input-bytes"), in.getMessage());
        memory.writeI32(200, 0);
        memory.writeI32(204, 1000);
        PluginPayloadException out = assertThrows(PluginPayloadException.class,
                () -> small.liftResult(new WitType.ListType(Primitive.U8), new long[] {200}));
        assertTrue(out.getMessage().contains("max-output-bytes"), out.getMessage());
    }

    private static void assertDeepEquals(Object expected, Object actual, String what) {
        assertEquals(normalize(expected), normalize(actual), what);
    }

    /** Arrays to lists and case values to readable strings, so that equality is structural. */
    private static Object normalize(Object v) {
        if (v instanceof Object[] a) {
            return Arrays.stream(a).map(CanonicalAbiTest::normalize).toList();
        }
        if (v instanceof List<?> l) {
            return l.stream().map(CanonicalAbiTest::normalize).toList();
        }
        if (v instanceof CaseValue c) {
            return "case" + c.index() + "(" + normalize(c.payload()) + ")";
        }
        return v;
    }
}
