package dev.graft.host.metering;

import dev.graft.api.policy.CostModel;
import static dev.graft.host.metering.Metered.call;
import static dev.graft.host.metering.Metered.instantiate;
import static dev.graft.host.metering.Metered.meter;
import static dev.graft.host.metering.Metered.wat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.host.metering.Metered.Mode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the pass keeps, what it adds, and what it refuses. */
class ModuleStructureTest {

    @Test
    void addsOneExportedMutableI64GlobalAndKeepsEverythingElse() {
        byte[] original = wat("""
                (module
                  (memory (export "mem") 1)
                  (global $g (export "g") (mut i32) (i32.const 7))
                  (func (export "a") (result i32) (global.get $g))
                  (func (export "b") (param i32) (result i32) (local.get 0)))
                """);
        byte[] withCustom = withSection(withSection(original, custom("graft.test", new byte[] {1, 2, 3}), true),
                nameSection(), false);
        byte[] metered = meter(withCustom);
        WasmModule module = Parser.parse(metered);
        assertEquals(6, module.exportSection().exportCount());
        assertEquals("graft_fuel", module.exportSection().getExport(4).name());
        assertEquals(1, module.exportSection().getExport(4).index());
        assertEquals("graft_fuel_reserve", module.exportSection().getExport(5).name());
        assertEquals(2, module.exportSection().getExport(5).index());
        // exports "a" and "b" now name the wrappers appended after the two threaded functions
        assertEquals(2, module.exportSection().getExport(2).index());
        assertEquals(3, module.exportSection().getExport(3).index());
        assertArrayEquals(new byte[] {1, 2, 3},
                ((com.dylibso.chicory.wasm.types.UnknownCustomSection) module.customSection("graft.test")).bytes());
        assertEquals("first", module.nameSection().nameOfFunction(0));
        assertEquals("second", module.nameSection().nameOfFunction(1));
        assertEquals("x", module.nameSection().nameOfLocal(1, 0));

        Instance instance = instantiate(metered, Mode.INTERPRETED);
        assertEquals(7, call(instance, "a", 100).result());
        assertEquals(9, call(instance, "b", 100, 9).result());
        assertEquals(1, instance.memory().pages());
    }

    @Test
    void modulesWithoutGlobalsExportsOrCodeGetTheirSections() {
        for (String text : new String[] {"(module)", "(module (memory 1))", "(module (func))",
                "(module (func $s) (start $s))", "(module (data (memory 0) (i32.const 0) \"x\") (memory 1))"}) {
            byte[] metered = meter(wat(text));
            Instance instance = instantiate(metered, Mode.INTERPRETED);
            assertEquals(CostModel.defaults().startFuel(), Metered.fuel(instance).getValue(), text);
        }
    }

    @Test
    void originalInstructionsAndLocalsArePreservedInOrder() {
        String[] fixtures = {FuelMeteringTest.ARITHMETIC, FuelMeteringTest.CONTROL, FuelMeteringTest.MULTI_VALUE,
            FuelMeteringTest.INDIRECT, FuelMeteringTest.GLOBALS_AND_START, FuelMeteringTest.HOST,
            MemoryChargesTest.MEMORY, PostMvpFeaturesTest.NUMERIC, PostMvpFeaturesTest.REFERENCES,
            PostMvpFeaturesTest.SIMD, PostMvpFeaturesTest.DEAD_CODE, FuelExhaustionTest.RUNAWAY};
        for (String fixture : fixtures) {
            byte[] original = wat(fixture);
            Metered.assertOriginalCodePreserved(original, meter(original));
        }
    }

    @Test
    void resultIsDeterministic() {
        byte[] original = wat(FuelMeteringTest.CONTROL);
        assertArrayEquals(meter(original), meter(original.clone()));
    }

    @Test
    void refusesMalformedBytes() {
        byte[] good = wat(FuelMeteringTest.ARITHMETIC);
        assertRefused(new byte[0], "magic");
        assertRefused(new byte[] {0, 'a', 's', 'm'}, "magic");
        assertRefused("not wasm at all".getBytes(StandardCharsets.UTF_8), "magic");
        assertRefused(new byte[] {0, 'a', 's', 'm', 0x0d, 0, 1, 0}, "version"); // a component
        assertRefused(Arrays.copyOf(good, good.length - 3), "malformed");
        byte[] badSize = good.clone();
        badSize[9] = (byte) 0x7F; // the type section claims more bytes than the module has
        assertRefused(badSize, "malformed");
        assertRefused(withSection(good, new byte[] {42, 0}, false), "unknown section");
    }

    @Test
    void refusesBadCode() {
        // a body whose opcode is unknown: (func) with body "0xFF 0x0B"
        assertRefused(module(new byte[] {0x00, (byte) 0xFF, 0x0B}), "unknown opcode");
        // missing final end
        assertRefused(module(new byte[] {0x00, 0x01}), "final 'end'");
        // bytes after the final end
        assertRefused(module(new byte[] {0x00, 0x0B, 0x01}), "after the function's final 'end'");
        // a branch deeper than the nesting
        assertRefused(module(new byte[] {0x00, 0x0C, 0x05, 0x0B}), "branch depth");
        // else without if
        assertRefused(module(new byte[] {0x00, 0x05, 0x0B}), "'else'");
        // exception handling: throw 0
        assertRefused(module(new byte[] {0x00, 0x08, 0x00, 0x0B}), "exception handling");
        // GC prefix
        assertRefused(module(new byte[] {0x00, (byte) 0xFB, 0x00, 0x0B}), "GC");
        // a truncated LEB immediate
        assertRefused(module(new byte[] {0x00, 0x41, (byte) 0x80}), "malformed");
    }

    @Test
    void refusesAlreadyMeteredModulesAndMemory64() {
        byte[] once = meter(wat("(module (func (export \"f\")))"));
        assertRefused(once, "already");
        // memory section with flags 0x04 (memory64), min 1
        byte[] memory64 = {0, 'a', 's', 'm', 1, 0, 0, 0, 5, 3, 1, 0x04, 1};
        assertRefused(memory64, "memory64");
    }

    @Test
    void fuzzedInputEitherMetersOrIsRefusedWithIllegalArgument() {
        byte[] good = wat(FuelMeteringTest.CONTROL);
        Random random = new Random(42);
        for (int length = 0; length < good.length; length++) {
            tryMeter(Arrays.copyOf(good, length));
        }
        for (int i = 0; i < 3000; i++) {
            byte[] mutated = good.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                mutated[8 + random.nextInt(mutated.length - 8)] = (byte) random.nextInt(256);
            }
            tryMeter(mutated);
        }
    }

    private static void tryMeter(byte[] bytes) {
        try {
            FuelMetering.instrument(bytes, CostModel.defaults());
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
        }
    }

    /**
     * The pass refuses the bytes: {@link FuelMetering#instrument} (Chicory's validation of the original
     * usually comes first), and the rewriter's own checks, which run behind it, with their message.
     */
    private static void assertRefused(byte[] bytes, String messagePart) {
        assertThrows(IllegalArgumentException.class, () -> FuelMetering.instrument(bytes, CostModel.defaults()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ModuleRewriter(bytes, CostModel.defaults(), ModuleRewriter.COUNTER_LIMIT, java.util.Set.of()).run());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    /** A module with one type () → (), one function, and the given body (locals + code). */
    static byte[] module(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        out.writeBytes(new byte[] {1, 4, 1, 0x60, 0, 0}); // type section
        out.writeBytes(new byte[] {3, 2, 1, 0}); // function section
        out.write(10);
        out.write(body.length + 2);
        out.write(1);
        out.write(body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    static byte[] custom(String name, byte[] payload) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        content.write(nameBytes.length);
        content.writeBytes(nameBytes);
        content.writeBytes(payload);
        ByteArrayOutputStream section = new ByteArrayOutputStream();
        section.write(0);
        section.write(content.size());
        section.writeBytes(content.toByteArray());
        return section.toByteArray();
    }

    /** A name section naming functions 0 and 1 and local 0 of function 1. */
    static byte[] nameSection() {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        byte[] functions = {2, 0, 5, 'f', 'i', 'r', 's', 't', 1, 6, 's', 'e', 'c', 'o', 'n', 'd'};
        payload.write(1);
        payload.write(functions.length);
        payload.writeBytes(functions);
        byte[] locals = {1, 1, 1, 0, 1, 'x'};
        payload.write(2);
        payload.write(locals.length);
        payload.writeBytes(locals);
        return custom("name", payload.toByteArray());
    }

    /** Inserts a whole section right after the header, or appends it. */
    static byte[] withSection(byte[] module, byte[] section, boolean first) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (first) {
            out.write(module, 0, 8);
            out.writeBytes(section);
            out.write(module, 8, module.length - 8);
        } else {
            out.writeBytes(module);
            out.writeBytes(section);
        }
        return out.toByteArray();
    }
}
