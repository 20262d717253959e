package dev.graft.samples.plugins;

import static dev.graft.samples.plugins.PricingRulesTest.adj;
import static dev.graft.samples.plugins.Samples.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginCallException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.engine.Plugin;
import dev.graft.samples.contracts.Adjustment;
import dev.graft.samples.contracts.Customer;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.samples.contracts.QuoteLine;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The tier-rust component (WIT world wit/tier-rule.wit) is the customer-tier rule: it asks the host for the tier
 * through its typed import {@code erp-customer-tier-of} (the host function {@code erp.customer.tier-of},
 * {@code String -> Optional<String>}) and answers exactly as the AssemblyScript Extism plugin, which asks
 * {@code erp_customer_tier} for bytes, on the same lines and the same host answers.
 */
class TierRustTest {

    /** The host's tiers, untidy as a database may be: the rules trim and lower-case them. */
    static final Map<String, String> TIERS = Map.of("C-1", "gold", "C-2", " PLATINUM\n", "C-3", "Silver",
            "C-4", "standard", "C-5", "");

    interface TierLookup {
        Optional<String> tierOf(String customerId);
    }

    final List<String> askedTyped = new ArrayList<>();
    final List<String> askedBytes = new ArrayList<>();

    Plugin tierRust(ExecutionMode mode) throws NoSuchMethodException {
        Type optionalString = TierLookup.class.getMethod("tierOf", String.class).getGenericReturnType();
        HostFunctionBinding typed = HostFunctionBinding.typed("erp.customer.tier-of", (p, in) -> in, String.class,
                optionalString, (pluginId, id) -> {
                    askedTyped.add((String) id);
                    return Optional.ofNullable(TIERS.get((String) id));
                });
        return Samples.load(Samples.TIER_RUST, mode, spec -> spec.policy(PluginPolicy.builder().mode(mode)
                .capabilities(Capabilities.builder().hostFunction("erp.customer.tier-of").build()).build())
                .hostFunction(typed));
    }

    Plugin customerTier(ExecutionMode mode) {
        return Samples.load(Samples.CUSTOMER_TIER, mode, spec -> spec.policy(PluginPolicy.builder().mode(mode)
                .capabilities(Capabilities.builder().hostFunction("erp_customer_tier").build()).build())
                .hostFunction("erp_customer_tier", (pluginId, input) -> {
                    String id = new String(input, StandardCharsets.UTF_8);
                    askedBytes.add(id);
                    return TIERS.getOrDefault(id, "").getBytes(StandardCharsets.UTF_8);
                }));
    }

    static List<QuoteLine> lines() {
        List<QuoteLine> lines = new ArrayList<>();
        String[] customers = {"C-1", "C-2", "C-3", "C-4", "C-5", "C-unknown"};
        String[] prices = {"0.05", "12.34", "10", "19.99", "0.004", "999999.99", "12345678901234.5"};
        int[] quantities = {1, 3, 7, 100, -2, 0, 200_000};
        int n = 0;
        for (String customer : customers) {
            for (String price : prices) {
                for (int quantity : quantities) {
                    String name = n++ % 2 == 0 ? "Łukasz Żółć 🌳" : "Zoë \"Q\" Müller";
                    lines.add(line("Item " + n, "food", quantity, price, new Customer(customer, name, "platinum", "DE"),
                            null));
                }
            }
        }
        return lines;
    }

    /** The answer, or the failure as "failed". */
    static Object answer(PricingRule rule, QuoteLine line) {
        try {
            return rule.apply(line);
        } catch (PluginCallException e) {
            return "failed";
        }
    }

    @Test
    void theComponentAnswersAsTheExtismPluginOnEveryLine() throws Exception {
        for (ExecutionMode mode : List.of(ExecutionMode.COMPILED, ExecutionMode.INTERPRETED)) {
            askedTyped.clear();
            askedBytes.clear();
            try (Plugin component = tierRust(mode); Plugin extism = customerTier(mode)) {
                PricingRule typed = component.extension(PricingRule.class);
                PricingRule bytes = extism.extension(PricingRule.class);
                int discounts = 0;
                int failures = 0;
                for (QuoteLine line : lines()) {
                    Object expected = answer(bytes, line);
                    assertEquals(expected, answer(typed, line), mode + ": " + line);
                    discounts += expected instanceof List<?> l && !l.isEmpty() ? 1 : 0;
                    failures += "failed".equals(expected) ? 1 : 0;
                }
                assertEquals(askedBytes, askedTyped, mode + ": both ask the host the same, in the same order");
                assertTrue(discounts > 50 && failures > 5, mode + ": " + discounts + " discounts, " + failures + " failures");
            }
        }
    }

    @Test
    void theHostsTierCountsNotTheLines() throws Exception {
        try (Plugin component = tierRust(ExecutionMode.COMPILED)) {
            PricingRule rule = component.extension(PricingRule.class);
            // 3 × 12.34 = 37.02; 15 % = 5.553 → -5.55; the line says standard, the host says platinum
            assertEquals(List.<Adjustment>of(adj("customer-tier", "-5.55", "Platinum customer discount 15% for Ana")),
                    rule.apply(line("Tee", "food", 3, "12.34", new Customer("C-2", "Ana", "standard", "AT"), null)));
            assertEquals(List.of(), rule.apply(line("Tee", "food", 3, "12.34",
                    new Customer("C-unknown", "Ana", "platinum", "AT"), null)));
            assertEquals(List.of("C-2", "C-unknown"), askedTyped);
        }
    }
}
