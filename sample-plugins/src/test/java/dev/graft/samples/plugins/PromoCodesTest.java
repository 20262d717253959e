package dev.graft.samples.plugins;

import static dev.graft.samples.plugins.PricingRulesTest.adj;
import static dev.graft.samples.plugins.Samples.ZOE;
import static dev.graft.samples.plugins.Samples.line;
import static dev.graft.test.PluginAssertions.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.graft.api.PluginCallException;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.test.GraftPluginTest;
import dev.graft.test.WasmPlugin;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The promo-codes rule (C), configured through Extism config, through the plugin-test kit. */
@GraftPluginTest
class PromoCodesTest {

    static final String MODULE = "promo-codes/promo-codes.wasm";
    static final String TABLE = "promotions=SPRING10=10%,VIP=15%,WELCOME=5.00";

    @WasmPlugin(path = MODULE, lockFile = "plugins.lock", config = TABLE)
    PricingRule compiled;

    @WasmPlugin(path = MODULE, lockFile = "plugins.lock", config = TABLE, mode = ExecutionMode.INTERPRETED)
    PricingRule interpreted;

    @Test
    void appliesTheConfiguredPromotions() {
        for (PricingRule rule : List.of(compiled, interpreted)) {
            // 3 × 19.99 = 59.97; 10 % = 5.997 → -6.00; codes match case-insensitively
            assertEquals(List.of(adj("promo-codes", "-6.00", "Promotion SPRING10: 10% off Café Crème")),
                    rule.apply(line("Café Crème", "food", 3, "19.99", ZOE, "spring10")));
            assertEquals(List.of(adj("promo-codes", "-5.00", "Promotion WELCOME: 5.00 off Crêpes \"Suzette\"")),
                    rule.apply(line("Crêpes \"Suzette\"", "food", 2, "4.50", ZOE, "WELCOME")));
            // a fixed amount is capped at the line total
            assertEquals(List.of(adj("promo-codes", "-1.20", "Promotion WELCOME: 5.00 off Brötchen")),
                    rule.apply(line("Brötchen", "food", 3, "0.40", ZOE, "WELCOME")));
            assertEquals(List.of(adj("promo-codes", "-15.00", "Promotion VIP: 15% off Füller")),
                    rule.apply(line("Füller", "office", 1, "100", ZOE, "VIP")));
            assertEquals(List.of(), rule.apply(line("Füller", "office", 1, "100", ZOE, "NOPE")));
            assertEquals(List.of(), rule.apply(line("Füller", "office", 1, "100", ZOE, null)));
        }
    }

    @Test
    void withoutConfigThereAreNoPromotions(@WasmPlugin(path = MODULE, lockFile = "plugins.lock") PricingRule rule) {
        assertEquals(List.of(), rule.apply(line("Füller", "office", 1, "100", ZOE, "VIP")));
    }

    @Test
    void aBadTableIsAPluginError(
            @WasmPlugin(path = MODULE, lockFile = "plugins.lock", config = "promotions=VIP=lots") PricingRule rule) {
        PluginCallException e = assertRefused(PluginCallException.class,
                () -> rule.apply(line("Füller", "office", 1, "100", ZOE, "VIP")), "promo-codes", "apply_rule");
        assertEquals("config 'promotions' has a bad value (want CODE=10% or CODE=5.00)", e.pluginMessage());
    }
}
