package dev.graft.host.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginCallException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.abi.HostFunctionBinding;
import dev.graft.host.component.ComponentPluginTest.Adjustment;
import dev.graft.host.component.ComponentPluginTest.Customer;
import dev.graft.host.component.ComponentPluginTest.PricingRule;
import dev.graft.host.component.ComponentPluginTest.QuoteLine;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A component built by real tools that imports a typed host function: {@code sample-plugins/tier-rust} (rustc
 * with hand-written canonical-ABI glue, wrapped by {@code jco embed} + {@code jco new}; its core module imports
 * {@code $root}.{@code erp-customer-tier-of}, which wit-component wires through a shim table filled by a fixup
 * module with the {@code canon lower}ed host function). WIT: {@code sample-plugins/wit/tier-rule.wit}.
 */
class SampleImportingComponentTest {

    private static final GraftEngine ENGINE = GraftEngine.create();
    private static final String NAME = "erp.customer.tier-of";

    /** The sample app's host function, {@code CustomerTiers.tierOfCustomer}, in the shape the import needs. */
    interface TierLookup {
        Optional<String> tierOf(String customerId);
    }

    static byte[] tierRust() throws IOException {
        try (InputStream in = SampleImportingComponentTest.class.getResourceAsStream("/components/tier-rust.wasm")) {
            return in.readAllBytes();
        }
    }

    static Type optionalString() throws NoSuchMethodException {
        return TierLookup.class.getMethod("tierOf", String.class).getGenericReturnType();
    }

    /** What the host function was asked, in order. */
    final List<String> asked = Collections.synchronizedList(new ArrayList<>());

    /** The host's tiers: the quote line's own tier is stale, the rule must ask. */
    HostFunctionBinding tiers(Map<String, String> tiers) throws NoSuchMethodException {
        return HostFunctionBinding.typed(NAME, (pluginId, input) -> input, String.class, optionalString(),
                (pluginId, customerId) -> {
                    asked.add(pluginId + ":" + customerId);
                    if ("boom".equals(customerId)) {
                        throw new IllegalStateException("ERP down");
                    }
                    return Optional.ofNullable(tiers.get((String) customerId));
                });
    }

    static PluginPolicy.Builder granting(PluginPolicy.Builder policy) {
        return policy.capabilities(Capabilities.builder().hostFunction(NAME).build());
    }

    static Plugin load(PluginPolicy policy, HostFunctionBinding... offered) throws IOException {
        PluginSpec.Builder spec = PluginSpec.builder(PluginSource.ofBytes("tier-rust", tierRust())).policy(policy)
                .extensionPoint(PricingRule.class);
        for (HostFunctionBinding binding : offered) {
            spec.hostFunction(binding);
        }
        return ENGINE.load(spec.build());
    }

    static QuoteLine line(String customerId, String staleTier, int quantity, String price) {
        return new QuoteLine("SKU-1", "Desk", "furniture", quantity, new BigDecimal(price),
                new Customer(customerId, "Zoë Ärger", staleTier, "DE"), "EUR", null);
    }

    @Test
    void theRustSampleAsksTheHostForTheTierThroughItsTypedImport() throws Exception {
        Map<String, String> tiers = Map.of("1", "gold", "2", "  PLATINUM ", "3", "silver", "4", "standard");
        for (InstanceMode instances : InstanceMode.values()) {
            for (ExecutionMode mode : ExecutionMode.values()) {
                String where = instances + "/" + mode;
                asked.clear();
                try (Plugin plugin = load(granting(PluginPolicy.builder().instances(instances).mode(mode)).build(),
                        tiers(tiers))) {
                    PricingRule rule = plugin.extension(PricingRule.class);
                    // 3 × 19.99 = 59.97; 10 % = 5.997, rounded half-up to cents.
                    assertEquals(List.of(new Adjustment("customer-tier", new BigDecimal("-6.00"),
                            "Gold customer discount 10% for Zoë Ärger")), rule.apply(line("1", null, 3, "19.99")), where);
                    // The host's answer is trimmed and lower-cased, as the Extism rule does.
                    assertEquals(List.of(new Adjustment("customer-tier", new BigDecimal("-30.00"),
                            "Platinum customer discount 15% for Zoë Ärger")), rule.apply(line("2", "silver", 1, "200")),
                            where);
                    assertEquals(new BigDecimal("-0.05"), rule.apply(line("3", null, 1, "0.99")).get(0).amount(), where);
                    // The line's tier says platinum, the host says standard or knows no such customer: no discount.
                    assertEquals(List.of(), rule.apply(line("4", "platinum", 5, "100.00")), where);
                    assertEquals(List.of(), rule.apply(line("nobody", "platinum", 5, "100.00")), where);
                    assertEquals(List.of("tier-rust:1", "tier-rust:2", "tier-rust:3", "tier-rust:4", "tier-rust:nobody"),
                            asked, where);
                }
            }
        }
    }

    @Test
    void withoutTheGrantTheComponentIsRefusedAtLoadNamingTheCapability() throws Exception {
        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> load(PluginPolicy.builder().build(), tiers(Map.of())));
        assertTrue(e.getMessage().startsWith("plugin 'tier-rust': refused at load:"), e.getMessage());
        assertTrue(e.getMessage().contains("component import 'erp-customer-tier-of'")
                && e.getMessage().contains("needs host function capability 'erp.customer.tier-of', which the policy"
                        + " does not grant"), e.getMessage());
        assertEquals(List.of(), asked);
    }

    @Test
    void aHostFunctionWhoseJavaTypesDoNotMatchTheImportIsRefusedAtLoad() throws Exception {
        HostFunctionBinding plain = HostFunctionBinding.typed(NAME, (id, in) -> in, String.class, String.class,
                (id, customerId) -> "gold");
        PluginLoadException e = assertThrows(PluginLoadException.class,
                () -> load(granting(PluginPolicy.builder()).build(), plain));
        assertTrue(e.getMessage().contains("component import 'erp-customer-tier-of' (func(customer-id: string) ->"
                + " option<string>)") && e.getMessage().contains("host function 'erp.customer.tier-of'")
                && e.getMessage().contains("WIT option<string> but Java java.lang.String is required"), e.getMessage());
        // The bytes form alone is byte[] -> byte[]: list<u8> where the import has a string.
        HostFunctionBinding bytes = new HostFunctionBinding(NAME, (id, in) -> in);
        PluginLoadException b = assertThrows(PluginLoadException.class,
                () -> load(granting(PluginPolicy.builder()).build(), bytes));
        assertTrue(b.getMessage().contains("at customer-id: WIT string but Java byte[]"), b.getMessage());
    }

    @Test
    void theHostFunctionsFailureEndsTheCallAndThePluginKeepsServing() throws Exception {
        try (Plugin plugin = load(granting(PluginPolicy.builder()).build(), tiers(Map.of("1", "gold")))) {
            PricingRule rule = plugin.extension(PricingRule.class);
            PluginCallException e = assertThrows(PluginCallException.class,
                    () -> rule.apply(line("boom", null, 1, "10")));
            assertTrue(e.getMessage().contains("plugin 'tier-rust'")
                    && e.getMessage().contains("host function 'erp.customer.tier-of' failed")
                    && e.getMessage().contains("ERP down"), e.getMessage());
            assertEquals(new BigDecimal("-1.00"), rule.apply(line("1", null, 1, "10")).get(0).amount());
        }
    }
}
