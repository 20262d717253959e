package dev.graft.samples.plugins;

import static dev.graft.samples.plugins.Samples.ZOE;
import static dev.graft.samples.plugins.Samples.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginCallException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.samples.contracts.Adjustment;
import dev.graft.samples.contracts.Customer;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.samples.contracts.QuoteLine;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The four pricing-rule plugins, through the engine and the typed {@link PricingRule} contract: what
 * needs the engine directly (several plugins at once, wrong pins, a missing grant). Each plugin's own
 * behaviour is tested with the plugin-test kit in {@link VolumeDiscountTest}, {@link CustomerTierTest}
 * and {@link PromoCodesTest}.
 */
class PricingRulesTest {

    static final Map<String, String> TIERS = Map.of("C-100", "gold", "C-200", "platinum", "C-300", "silver",
            "C-400", "standard");

    static PricingRule rule(String module, ExecutionMode mode) {
        return rule(module, mode, spec -> spec);
    }

    static PricingRule rule(String module, ExecutionMode mode, java.util.function.UnaryOperator<PluginSpec.Builder> customize) {
        Plugin plugin = Samples.load(module, mode, spec -> customize.apply(spec.extensionPoint(PricingRule.class)));
        return plugin.extension(PricingRule.class);
    }

    static PricingRule customerTier(ExecutionMode mode) {
        return rule(Samples.CUSTOMER_TIER, mode, spec -> spec
                .policy(PluginPolicy.builder().mode(mode)
                        .capabilities(Capabilities.builder().hostFunction("erp_customer_tier").build()).build())
                .hostFunction("erp_customer_tier", (plugin, input) ->
                        TIERS.getOrDefault(new String(input, StandardCharsets.UTF_8), "").getBytes(StandardCharsets.UTF_8)));
    }

    static PricingRule promoCodes(ExecutionMode mode) {
        return rule(Samples.PROMO_CODES, mode, spec -> spec.config("promotions", "SPRING10=10%,VIP=15%,WELCOME=5.00"));
    }

    static Adjustment adj(String ruleId, String amount, String reason) {
        return new Adjustment(ruleId, new BigDecimal(amount), reason);
    }

    // ------------------------------------------------------------------ volume discount (Rust): VolumeDiscountTest

    // ------------------------------------------------------------------ customer tier (AssemblyScript): CustomerTierTest

    @Test
    void customerTierIsRefusedWithoutItsHostFunction() {
        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> rule(Samples.CUSTOMER_TIER, ExecutionMode.COMPILED));
        assertTrue(e.getMessage().contains("erp_customer_tier"), e.getMessage());
    }

    // ------------------------------------------------------------------ promotion codes (C): PromoCodesTest

    // ------------------------------------------------------------------ regional tax (Rust)

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void regionalTax(ExecutionMode mode) {
        PricingRule rule = rule(Samples.REGIONAL_TAX, mode);
        // 3 × 19.99 = 59.97; 19 % = 11.3943 → 11.39
        assertEquals(List.of(adj("regional-tax", "11.39", "MwSt. 19 % (DE) on Kaffeemühle")),
                rule.apply(line("Kaffeemühle", "hardware", 3, "19.99", ZOE, null)));
        // food is reduced: 7 % of 59.97 = 4.1979 → 4.20
        assertEquals(List.of(adj("regional-tax", "4.20", "MwSt. 7 % (DE, reduced) on Café Crème")),
                rule.apply(line("Café Crème", "food", 3, "19.99", ZOE, null)));
        // 10 × 2.49 = 24.90; 5.5 % = 1.3695 → 1.37
        Customer fr = new Customer("C-7", "Léa Dubois", "silver", "FR");
        assertEquals(List.of(adj("regional-tax", "1.37", "TVA 5.5 % (FR, reduced) on Baguette")),
                rule.apply(line("Baguette", "food", 10, "2.49", fr, null)));
        // 7.25 % of 19.99 = 1.449275 → 1.45; and no sales tax on food in California
        Customer ca = new Customer("C-8", "José Núñez", "gold", "US-CA");
        assertEquals(List.of(adj("regional-tax", "1.45", "Sales tax 7.25 % (US-CA) on Kopfhörer")),
                rule.apply(line("Kopfhörer", "hardware", 1, "19.99", ca, null)));
        assertEquals(List.of(), rule.apply(line("Apfel", "food", 1, "19.99", ca, null)));
    }

    @Test
    void regionalTaxRefusesAnUnknownRegion() {
        PricingRule rule = rule(Samples.REGIONAL_TAX, ExecutionMode.COMPILED);
        PluginCallException e = assertThrows(PluginCallException.class,
                () -> rule.apply(line("Tee", "food", 1, "1", new Customer("C-9", "Zoë", "gold", "Atlantïs"), null)));
        assertEquals("no tax rate for region \"Atlantïs\"", e.pluginMessage());
    }

    // ------------------------------------------------------------------ all of them

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void nonAsciiSurvivesEveryPlugin(ExecutionMode mode) {
        String name = "Zoë's Crème brûlée — 東京 🍮 \\ \"quoted\"";
        Customer zoe = new Customer("C-100", "Zoë Müller", "gold", "DE");
        QuoteLine line = line(name, "food", 100, "1.00", zoe, "VIP");
        List<Adjustment> all = new java.util.ArrayList<>();
        all.addAll(rule(Samples.VOLUME_DISCOUNT, mode).apply(line));
        all.addAll(customerTier(mode).apply(line));
        all.addAll(promoCodes(mode).apply(line));
        all.addAll(rule(Samples.REGIONAL_TAX, mode).apply(line));
        assertEquals(List.of(
                adj("volume-discount", "-15.00", "Volume discount 15% for 100+ units: 100 × " + name),
                adj("customer-tier", "-10.00", "Gold customer discount 10% for Zoë Müller"),
                adj("promo-codes", "-15.00", "Promotion VIP: 15% off " + name),
                adj("regional-tax", "7.00", "MwSt. 7 % (DE, reduced) on " + name)), all);
    }

    @Test
    void everyPluginIsRefusedWhenItsPinIsWrong() {
        String wrong = "0".repeat(64);
        for (String module : List.of(Samples.VOLUME_DISCOUNT, Samples.CUSTOMER_TIER, Samples.PROMO_CODES,
                Samples.REGIONAL_TAX, Samples.FRACTAL_TREE, Samples.FRACTAL_TREE_CLI, Samples.PRICING_RUST, Samples.PRICING_JS, Samples.TIER_RUST)) {
            PluginLoadException e = assertThrows(PluginLoadException.class, () -> Samples.ENGINE.load(
                    PluginSpec.builder(dev.graft.host.source.PluginSource.ofFile(Samples.path(module)).pinned(wrong))
                            .policy(PluginPolicy.builder()
                                    .capabilities(Capabilities.builder().hostFunction("erp_customer_tier").wasi(true).build())
                                    .build())
                            .hostFunction("erp_customer_tier", (p, in) -> new byte[0])
                            .build()), module);
            assertTrue(e.getMessage().contains("sha256"), e.getMessage());
        }
    }

    @Test
    void pluginsLockMatchesTheCommittedFiles() throws Exception {
        assertEquals(10, Samples.LOCK.size()); // 7 modules and the 3 components
        for (var entry : Samples.LOCK.entrySet()) {
            byte[] bytes = java.nio.file.Files.readAllBytes(Samples.path(entry.getKey()));
            assertEquals(entry.getValue(), dev.graft.host.source.PluginSource.sha256Hex(bytes), entry.getKey());
        }
    }
}
