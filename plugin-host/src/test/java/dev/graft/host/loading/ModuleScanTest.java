package dev.graft.host.loading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.LoadLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The scan against real modules: figures that agree with Chicory's, and custom sections stripped. */
public class ModuleScanTest {

    /** Every real module in the repository: the sample plugins, the examples and the test fixtures. */
    /** The core modules of the repository: the sample plugins, the examples and the real-world fixtures. */
    public static List<Path> realModules() throws IOException {
        try (Stream<Path> files = Stream.of(Path.of("../sample-plugins"), Path.of("../examples"),
                Path.of("src/test/resources/realworld")).flatMap(ModuleScanTest::walk)) {
            // Core modules only: the WebAssembly components (pricing-rust, pricing-js) have a parser of their own,
            // and the toolchains' own .wasm files under node_modules are not ours.
            return files.filter(p -> p.toString().endsWith(".wasm") && !p.toString().contains("node_modules")
                    && !p.toString().contains("/target/") && isCoreModule(p)).sorted().toList();
        }
    }

    private static boolean isCoreModule(Path p) {
        try (java.io.InputStream in = Files.newInputStream(p)) {
            byte[] header = in.readNBytes(8);
            return header.length == 8 && header[4] == 1 && header[5] == 0 && header[6] == 0 && header[7] == 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Stream<Path> walk(Path dir) {
        try {
            return Files.walk(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void realModulesPassTheDefaultBudgetAndTheFiguresMatchChicorys() throws IOException {
        List<Path> modules = realModules();
        assertTrue(modules.size() >= 8, "found " + modules);
        for (Path path : modules) {
            byte[] bytes = Files.readAllBytes(path);
            ModuleScan scan = ModuleScan.of(bytes, LoadLimits.HUGE_FUNCTION_BODY_BYTES);
            System.out.printf("%s: %,d bytes, %,d functions, %,d types, %,d imports, %,d exports, %,d globals,"
                    + " %,d locals (max %,d in one function), %,d table entries, %,d element entries,"
                    + " %,d custom bytes, %d huge functions%n", path.getFileName(), bytes.length, scan.functions(),
                    scan.types, scan.imports, scan.exports, scan.globals, scan.localsTotal, scan.maxLocals,
                    scan.tableEntries, scan.elementEntries, scan.customSectionBytes, scan.hugeFunctions);
            byte[] stripped = LoadBudget.check("real", bytes, LoadLimits.defaults(), true);
            WasmModule module = Parser.parse(stripped);
            assertEquals(module.functionSection().functionCount(), scan.definedFunctions, path.toString());
            assertEquals(module.importSection().importCount(), scan.imports, path.toString());
            assertEquals(module.exportSection().exportCount(), scan.exports, path.toString());
            assertEquals(module.globalSection().globalCount(), scan.globals, path.toString());
            long locals = 0;
            for (int f = 0; f < module.codeSection().functionBodyCount(); f++) {
                locals += module.codeSection().getFunctionBody(f).localTypes().size();
            }
            assertEquals(locals, scan.localsTotal, path.toString());
            assertEquals(bytes.length - scan.customSectionBytes, stripped.length, path.toString());
            assertEquals(0, ModuleScan.of(stripped, LoadLimits.HUGE_FUNCTION_BODY_BYTES).customSections);
        }
    }

    @Test
    void everyKindOfSegmentTableAndConstantIsWalked() {
        // Passive, declarative and expression element segments, a second table with explicit index,
        // passive and active data, SIMD and reference constants, a table and a global imported.
        String wat = """
                (module
                  (import "env" "t" (table 3 funcref))
                  (import "env" "g" (global i32))
                  (type $v (func))
                  (func $a) (func $b)
                  (table $t2 7 externref)
                  (table $t3 2 funcref)
                  (memory 1)
                  (global $x (mut i64) (i64.const -5))
                  (global $y v128 (v128.const i32x4 1 2 3 4))
                  (global $z funcref (ref.func $a))
                  (global $w externref (ref.null extern))
                  (elem (i32.const 0) $a $b)
                  (elem $p funcref (ref.func $a) (ref.null func) (ref.func $b))
                  (elem declare func $b)
                  (elem (table $t3) (i32.const 0) funcref (ref.func $b))
                  (elem $q func $a $a $a $a)
                  (data (i32.const 8) "hello")
                  (data $d "passive bytes")
                  (func (export "run") (local i32 i64) (local f32)
                    (elem.drop $p) (data.drop $d)))
                """;
        byte[] bytes = com.dylibso.chicory.wabt.Wat2Wasm.parse(wat);
        ModuleScan scan = ModuleScan.of(bytes, LoadLimits.HUGE_FUNCTION_BODY_BYTES);
        WasmModule module = Parser.parse(bytes);
        assertEquals(3 + 7 + 2, scan.tableEntries);
        long elements = 0;
        for (int i = 0; i < module.elementSection().elementCount(); i++) {
            elements += module.elementSection().getElement(i).elementCount();
        }
        assertEquals(2 + 3 + 1 + 1 + 4, elements);
        assertEquals(elements, scan.elementEntries);
        assertEquals(4, scan.globals);
        assertEquals(3, scan.localsTotal);
        assertEquals(3, scan.functions());
        assertEquals(2, scan.imports);
    }

    @Test
    void aModuleWithoutCustomSectionsIsPassedOnAsItIs() {
        byte[] bytes = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0};
        assertSame(bytes, LoadBudget.check("plain", bytes, LoadLimits.defaults(), true));
    }

    @Test
    void customSectionWithABadNameIsMalformed() {
        // Name length 5 in a section of 3 bytes, and a name that is not UTF-8.
        byte[] past = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 3, 5, 'a', 'b'};
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> LoadBudget.check("p", past,
                LoadLimits.defaults(), true));
        assertTrue(e.getMessage().contains("not a valid Wasm module: custom section name declares 5 bytes"), e.getMessage());
        byte[] notUtf8 = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 3, 2, (byte) 0xC0, (byte) 0x80};
        e = assertThrows(PluginLoadException.class, () -> LoadBudget.check("p", notUtf8, LoadLimits.defaults(), true));
        assertTrue(e.getMessage().contains("custom section name is not UTF-8"), e.getMessage());
    }

    @Test
    void sectionLongerThanTheFileIsMalformed() {
        byte[] bytes = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, (byte) 0xFF, (byte) 0xFF, 0x03, 1, 0x60, 0, 0};
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> LoadBudget.check("p", bytes,
                LoadLimits.defaults(), true));
        assertTrue(e.getMessage().contains("section 1 declares 65,535 bytes, but only 4 follow"), e.getMessage());
    }
}
