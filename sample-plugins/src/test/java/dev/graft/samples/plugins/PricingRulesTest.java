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

/** The four pricing-rule plugins, through the engine and the typed {@link PricingRule} contract. */
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

    // ------------------------------------------------------------------ volume discount (Rust)

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void volumeDiscountByQuantityTiers(ExecutionMode mode) {
        PricingRule rule = rule(Samples.VOLUME_DISCOUNT, mode);
        assertEquals(List.of(), rule.apply(line("Café Crème", "food", 9, "19.99", ZOE, null)));
        // 10 × 19.99 = 199.90; 5 % = 9.995 → -10.00 (half away from zero)
        assertEquals(List.of(adj("volume-discount", "-10.00", "Volume discount 5% for 10+ units: 10 × Café Crème")),
                rule.apply(line("Café Crème", "food", 10, "19.99", ZOE, null)));
        assertEquals(List.of(adj("volume-discount", "-99.95", "Volume discount 10% for 50+ units: 50 × Café Crème")),
                rule.apply(line("Café Crème", "food", 50, "19.99", ZOE, null)));
        // 250 × 0.35 = 87.50; 15 % = 13.125 → -13.13
        assertEquals(List.of(adj("volume-discount", "-13.13", "Volume discount 15% for 100+ units: 250 × Schrauben M4 ⌀ 4 mm")),
                rule.apply(line("Schrauben M4 ⌀ 4 mm", "hardware", 250, "0.35", ZOE, null)));
        // amounts come back exact, with the scale the plugin wrote
        assertEquals("-13.13", rule.apply(line("x", "hardware", 250, "0.35", ZOE, null)).get(0).amount().toPlainString());
    }

    @Test
    void volumeDiscountReportsBadInputAsPluginError() {
        Plugin plugin = Samples.load(Samples.VOLUME_DISCOUNT, ExecutionMode.COMPILED, spec -> spec);
        PluginCallException e = assertThrows(PluginCallException.class,
                () -> plugin.call("apply_rule", "{\"quantity\":1,\"unitPrice\":\"1e3\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("not a decimal: \"1e3\"", e.pluginMessage());
        e = assertThrows(PluginCallException.class, () -> plugin.call("apply_rule", "{\"quantity\":".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.pluginMessage().startsWith("invalid JSON input"), e.pluginMessage());
    }

    // ------------------------------------------------------------------ customer tier (AssemblyScript)

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void customerTierAsksTheHost(ExecutionMode mode) {
        PricingRule rule = customerTier(mode);
        // the input says "standard", the host says gold: the host wins. 3 × 12.34 = 37.02; 10 % = 3.702 → -3.70
        Customer zoe = new Customer("C-100", "Zoë Müller", "standard", "DE");
        assertEquals(List.of(adj("customer-tier", "-3.70", "Gold customer discount 10% for Zoë Müller")),
                rule.apply(line("Café Crème", "food", 3, "12.34", zoe, null)));
        // 7 × 0.05 = 0.35; 15 % = 0.0525 → -0.05
        assertEquals(List.of(adj("customer-tier", "-0.05", "Platinum customer discount 15% for Łukasz Żółć 🌳")),
                rule.apply(line("Nägel", "hardware", 7, "0.05", new Customer("C-200", "Łukasz Żółć 🌳", null, "PL"), null)));
        assertEquals(List.of(adj("customer-tier", "-0.50", "Silver customer discount 5% for Ana")),
                rule.apply(line("Tee", "food", 1, "10", new Customer("C-300", "Ana", "gold", "AT"), null)));
        // a standard or unknown customer (the host answers with no bytes) gets nothing
        assertEquals(List.of(), rule.apply(line("Tee", "food", 1, "10", new Customer("C-400", "Bo", "gold", "AT"), null)));
        assertEquals(List.of(), rule.apply(line("Tee", "food", 1, "10", new Customer("C-999", "Bo", "gold", "AT"), null)));
    }

    @Test
    void customerTierIsRefusedWithoutItsHostFunction() {
        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> rule(Samples.CUSTOMER_TIER, ExecutionMode.COMPILED));
        assertTrue(e.getMessage().contains("erp_customer_tier"), e.getMessage());
    }

    // ------------------------------------------------------------------ promotion codes (C)

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void promoCodesFromConfig(ExecutionMode mode) {
        PricingRule rule = promoCodes(mode);
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

    @Test
    void promoCodesWithoutConfigGiveNothing() {
        PricingRule rule = rule(Samples.PROMO_CODES, ExecutionMode.COMPILED);
        assertEquals(List.of(), rule.apply(line("Füller", "office", 1, "100", ZOE, "VIP")));
    }

    @Test
    void promoCodesRejectABadTable() {
        PricingRule rule = rule(Samples.PROMO_CODES, ExecutionMode.COMPILED, spec -> spec.config("promotions", "VIP=lots"));
        PluginCallException e = assertThrows(PluginCallException.class,
                () -> rule.apply(line("Füller", "office", 1, "100", ZOE, "VIP")));
        assertEquals("config 'promotions' has a bad value (want CODE=10% or CODE=5.00)", e.pluginMessage());
    }

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
                Samples.REGIONAL_TAX, Samples.FRACTAL_TREE, Samples.FRACTAL_TREE_CLI)) {
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
        assertEquals(7, Samples.LOCK.size());
        for (var entry : Samples.LOCK.entrySet()) {
            byte[] bytes = java.nio.file.Files.readAllBytes(Samples.path(entry.getKey()));
            assertEquals(entry.getValue(), dev.graft.host.source.PluginSource.sha256Hex(bytes), entry.getKey());
        }
    }
}
