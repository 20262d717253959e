package dev.graft.samples.plugins;

import static dev.graft.samples.plugins.Samples.ZOE;
import static dev.graft.samples.plugins.Samples.line;
import static dev.graft.test.PluginAssertions.assertFuelAtMost;
import static dev.graft.test.PluginAssertions.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginCallException;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.host.engine.Plugin;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.test.GraftPluginTest;
import dev.graft.test.WasmPlugin;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The volume-discount rule (Rust), through the plugin-test kit, compiled and interpreted. */
@GraftPluginTest
class VolumeDiscountTest {

    static final String MODULE = "volume-discount/volume-discount.wasm";

    @WasmPlugin(path = MODULE, lockFile = "plugins.lock")
    PricingRule compiled;

    @WasmPlugin(path = MODULE, lockFile = "plugins.lock", mode = ExecutionMode.INTERPRETED)
    PricingRule interpreted;

    @Test
    void discountsByQuantityTiers() {
        for (PricingRule rule : List.of(compiled, interpreted)) {
            assertEquals(List.of(), rule.apply(line("Café Crème", "food", 9, "19.99", ZOE, null)));
            // 10 × 19.99 = 199.90; 5 % = 9.995 → -10.00 (half away from zero)
            assertEquals(List.of(PricingRulesTest.adj("volume-discount", "-10.00",
                    "Volume discount 5% for 10+ units: 10 × Café Crème")), rule.apply(line("Café Crème", "food", 10, "19.99", ZOE, null)));
            assertEquals(List.of(PricingRulesTest.adj("volume-discount", "-99.95",
                    "Volume discount 10% for 50+ units: 50 × Café Crème")), rule.apply(line("Café Crème", "food", 50, "19.99", ZOE, null)));
            // 250 × 0.35 = 87.50; 15 % = 13.125 → -13.13
            assertEquals(List.of(PricingRulesTest.adj("volume-discount", "-13.13",
                    "Volume discount 15% for 100+ units: 250 × Schrauben M4 ⌀ 4 mm")),
                    rule.apply(line("Schrauben M4 ⌀ 4 mm", "hardware", 250, "0.35", ZOE, null)));
            // amounts come back exact, with the scale the plugin wrote
            assertEquals("-13.13", rule.apply(line("x", "hardware", 250, "0.35", ZOE, null)).get(0).amount().toPlainString());
        }
    }

    @Test
    void aLineCostsLittleFuel() {
        // Measured about 55,000 (graft call --stats); 1,000,000 leaves room for toolchain changes, not for a runaway loop.
        assertEquals(1, assertFuelAtMost(1_000_000, () -> compiled.apply(line("Tee", "food", 10, "1.00", ZOE, null))).size());
    }

    @Test
    void aTinyFuelBudgetIsRefused(@WasmPlugin(path = MODULE, lockFile = "plugins.lock", fuel = 500) PricingRule starved) {
        assertRefused(PluginFuelExhaustedException.class, () -> starved.apply(line("Tee", "food", 10, "1.00", ZOE, null)),
                "volume-discount");
    }

    @Test
    void badInputIsAPluginError(@WasmPlugin(path = MODULE, lockFile = "plugins.lock") Plugin plugin) {
        PluginCallException e = assertRefused(PluginCallException.class, () -> plugin.call("apply_rule",
                "{\"quantity\":1,\"unitPrice\":\"1e3\"}".getBytes(StandardCharsets.UTF_8)), "volume-discount", "apply_rule");
        assertEquals("not a decimal: \"1e3\"", e.pluginMessage());
        e = assertRefused(PluginCallException.class,
                () -> plugin.call("apply_rule", "{\"quantity\":".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.pluginMessage().startsWith("invalid JSON input"), e.pluginMessage());
    }
}
