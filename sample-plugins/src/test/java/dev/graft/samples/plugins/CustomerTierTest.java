package dev.graft.samples.plugins;

import static dev.graft.samples.plugins.PricingRulesTest.adj;
import static dev.graft.samples.plugins.Samples.line;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.graft.api.policy.ExecutionMode;
import dev.graft.samples.contracts.Customer;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.test.GraftPluginTest;
import dev.graft.test.HostStub;
import dev.graft.test.WasmPlugin;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The customer-tier rule (AssemblyScript), which asks the host for the tier: the kit stubs the host function. */
@GraftPluginTest
class CustomerTierTest {

    static final String MODULE = "customer-tier/customer-tier.wasm";

    // A generous timeout: this test is about what the host answers, and on a loaded 2-core machine the first
    // interpreted call of the AssemblyScript module took over the default 1 s.
    @WasmPlugin(path = MODULE, lockFile = "plugins.lock", timeoutMillis = 10_000)
    PricingRule compiled;

    @WasmPlugin(path = MODULE, lockFile = "plugins.lock", mode = ExecutionMode.INTERPRETED, timeoutMillis = 10_000)
    PricingRule interpreted;

    final List<String> asked = new ArrayList<>();

    /** The ERP's answer: the tier by customer id, or nothing for an unknown customer. */
    @HostStub("erp_customer_tier")
    String tier(String customerId) {
        asked.add(customerId);
        return PricingRulesTest.TIERS.getOrDefault(customerId, "");
    }

    @Test
    void asksTheHostRatherThanTrustingTheInput() {
        for (PricingRule rule : List.of(compiled, interpreted)) {
            asked.clear();
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
            assertEquals(List.of("C-100", "C-200", "C-300", "C-400", "C-999"), asked);
        }
    }
}
