package dev.graft.host.metering;

import static dev.graft.host.metering.Metered.call;
import static dev.graft.host.metering.Metered.instantiate;
import static dev.graft.host.metering.Metered.referenceCount;
import static dev.graft.host.metering.Metered.wat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.graft.api.policy.CostModel;
import dev.graft.host.metering.Metered.Mode;
import dev.graft.host.metering.Metered.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Imports whose whole cost is the fixed host-call charge are charged in Wasm, exactly and before they run. */
class FixedCostImportTest {

    static final String LOADS = """
            (module
              (import "env" "load" (func $load (param i64) (result i64)))
              (func (export "sum") (param $n i64) (result i64) (local $acc i64)
                (block $done
                  (loop $next
                    (br_if $done (i64.eqz (local.get $n)))
                    (local.set $acc (i64.add (local.get $acc) (call $load (local.get $n))))
                    (local.set $n (i64.sub (local.get $n) (i64.const 1)))
                    (br $next)))
                (local.get $acc)))
            """;

    private static final Set<FuelMetering.Import> LOAD = Set.of(new FuelMetering.Import("env", "load"));

    /** A host "load" that records, on each call, the fuel global of {@code self[0]} (-1 while unset). */
    private static ImportValues imports(List<Long> seen, Instance[] self) {
        HostFunction load = new HostFunction("env", "load", FunctionType.of(List.of(ValType.I64), List.of(ValType.I64)),
                (instance, args) -> {
                    seen.add(self[0] == null ? -1L : Metered.fuel(self[0]).getValue());
                    return new long[] {args[0] * 2};
                });
        return ImportValues.builder().addFunction(load).build();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void eachCallCostsTheFixedChargeOnTopOfItsInstructions(Mode mode) {
        byte[] original = wat(LOADS);
        List<Long> seen = new ArrayList<>();
        Instance[] self = new Instance[1];
        CostModel model = CostModel.defaults().withHostCallFixed(37);
        Instance metered = instantiate(FuelMetering.instrument(original, model, LOAD), mode, imports(seen, self));
        self[0] = metered;
        long instructions = referenceCount(original, imports(new ArrayList<>(), new Instance[1]), "sum", 10);

        Outcome outcome = call(metered, "sum", 1_000_000, 10);
        assertEquals(110, outcome.result());
        assertEquals(instructions + 10 * 37, outcome.consumed);
        // Nothing is written back around these calls: the host saw the budget the call started with.
        assertEquals(10, seen.size());
        assertTrue(seen.stream().allMatch(v -> v == 1_000_000), seen.toString());
        // Without the set, the same module leaves the charging to the host (which here charges nothing).
        Instance hostCharged = instantiate(FuelMetering.instrument(original, model), mode, imports(new ArrayList<>(), new Instance[1]));
        assertEquals(instructions, call(hostCharged, "sum", 1_000_000, 10).consumed);
        assertNotEquals(FuelMetering.cacheKey(model), FuelMetering.cacheKey(model, LOAD));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theImportNeverRunsOnExhaustedFuel(Mode mode) {
        // After the if, a segment that is charged on entry without a check of its own: i64.const and
        // the call, 2 + 37. Only the check before the call keeps the import from running when that
        // charge overdraws.
        byte[] original = wat("""
                (module
                  (import "env" "load" (func $load (param i64) (result i64)))
                  (func (export "g") (param i32) (result i64)
                    (if (local.get 0) (then))
                    (call $load (i64.const 5))))
                """);
        CostModel model = CostModel.defaults().withHostCallFixed(37);
        for (long budget = 38; budget <= 42; budget++) {
            List<Long> seen = new ArrayList<>();
            Instance metered = instantiate(FuelMetering.instrument(original, model, LOAD), mode, imports(seen, new Instance[1]));
            Outcome outcome = call(metered, "g", budget, 1);
            if (budget >= 41) { // local.get, if; then i64.const, call + 37
                assertNull(outcome.trap, "budget " + budget);
                assertEquals(10, outcome.result());
                assertEquals(41, outcome.consumed);
                assertEquals(1, seen.size());
            } else {
                assertTrue(outcome.exhausted(), "budget " + budget);
                assertEquals(0, seen.size(), "budget " + budget + ": the import ran on exhausted fuel");
            }
        }
    }
}
