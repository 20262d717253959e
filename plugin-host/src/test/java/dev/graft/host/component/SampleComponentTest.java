package dev.graft.host.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginCallException;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.InstanceMode;
import dev.graft.api.policy.PluginPolicy;
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
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A component no Graft code wrote: the pricing rule of {@code sample-plugins/pricing-rust}, a core module
 * built by rustc with hand-written canonical-ABI glue and wrapped by {@code jco embed} + {@code jco new}
 * (three type imports with {@code eq} bounds, one core instance, lift with memory, realloc and post-return).
 */
class SampleComponentTest {

    static byte[] pricingRust() throws IOException {
        try (InputStream in = SampleComponentTest.class.getResourceAsStream("/components/pricing-rust.wasm")) {
            return in.readAllBytes();
        }
    }

    static QuoteLine line(int quantity, String price, String name) {
        return new QuoteLine("SKU-9", name, "office", quantity, new BigDecimal(price),
                new Customer("c-1", "Zoë", null, "DE"), "EUR", null);
    }

    @Test
    void theRustSampleComputesTheVolumeDiscount() throws IOException {
        GraftEngine engine = GraftEngine.create();
        for (InstanceMode instances : InstanceMode.values()) {
            PluginPolicy policy = PluginPolicy.builder().instances(instances).mode(ExecutionMode.COMPILED).build();
            try (Plugin plugin = engine.load(PluginSpec.builder(PluginSource.ofBytes("pricing-rust", pricingRust()))
                    .policy(policy).extensionPoint(PricingRule.class).build())) {
                PricingRule rule = plugin.extension(PricingRule.class);
                assertEquals(List.of(), rule.apply(line(9, "1.99", "Stift")));
                List<Adjustment> ten = rule.apply(line(10, "1.99", "Bleistift ✏"));
                assertEquals(1, ten.size(), ten.toString());
                assertEquals(new BigDecimal("-1.00"), ten.get(0).amount());
                assertTrue(ten.get(0).reason().contains("Bleistift ✏"), ten.toString());
                List<Adjustment> hundred = rule.apply(line(100, "2.00", "x"));
                assertEquals(new BigDecimal("-30.00"), hundred.get(0).amount(), hundred.toString());
                System.out.println(instances + ": " + ten + " " + hundred);
            }
        }
    }
}
