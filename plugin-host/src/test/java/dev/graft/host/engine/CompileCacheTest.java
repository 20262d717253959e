package dev.graft.host.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wabt.Wat2Wasm;
import com.dylibso.chicory.wasm.WasmModule;
import dev.graft.api.policy.CostModel;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.host.metering.FuelMetering;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The persisted compile cache keeps compiled classes and metered bytes across engines (restarts). */
class CompileCacheTest {

    private static final byte[] A = Wat2Wasm.parse("(module (func (export \"a\") (result i32) i32.const 1))");
    private static final byte[] B = Wat2Wasm.parse("(module (func (export \"b\") (result i32) i32.const 2))");

    @Test
    void aLaterEngineTakesTheMeteredBytesFromTheCacheInsteadOfMeteringAgain(@TempDir Path dir) throws IOException {
        GraftEngine.withCompileCache(dir).compile("a", A, ExecutionMode.COMPILED, CostModel.defaults());
        List<Path> metered = files(dir, ".wasm");
        assertEquals(1, metered.size(), "one metered entry");
        assertTrue(metered.get(0).getFileName().toString().startsWith("metered-"), metered.toString());
        assertTrue(files(dir, ".classes").size() >= 1, "compiled classes are persisted too");

        // Swap the entry for module B, metered: a new engine serves what the cache holds for A's
        // digest, which shows it did not meter A again.
        Files.write(metered.get(0), FuelMetering.instrument(B, CostModel.defaults()));
        WasmModule served = GraftEngine.withCompileCache(dir)
                .compile("a", A, ExecutionMode.COMPILED, CostModel.defaults()).module();
        assertEquals("b", served.exportSection().getExport(0).name());
    }

    @Test
    void eachCostModelHasItsOwnEntryAndUnmeteredModulesNone(@TempDir Path dir) throws IOException {
        GraftEngine engine = GraftEngine.withCompileCache(dir);
        engine.compile("a", A, ExecutionMode.INTERPRETED, null);
        assertEquals(0, files(dir, ".wasm").size());
        engine.compile("a", A, ExecutionMode.INTERPRETED, CostModel.defaults());
        engine.compile("a", A, ExecutionMode.INTERPRETED, CostModel.defaults().toBuilder().instructionCost(2).build());
        assertEquals(2, files(dir, ".wasm").size());
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
    }
}
