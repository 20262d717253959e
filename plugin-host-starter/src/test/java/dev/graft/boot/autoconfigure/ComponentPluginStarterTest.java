package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.OptionalField;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WebAssembly component configured like any plugin (location, sha256 pin, extension points): the starter
 * detects it by its header and its extension views call it through the canonical ABI.
 */
class ComponentPluginStarterTest extends StarterTestSupport {

    public record Customer(String id, String name, @OptionalField String tier, String region) {
    }

    public record QuoteLine(String sku, String name, String category, int quantity, BigDecimal unitPrice,
            Customer customer, String currency, @OptionalField String promoCode) {
    }

    public record Adjustment(String ruleId, BigDecimal amount, String reason) {
    }

    @ExtensionPoint(id = "pricing-rule", version = "1")
    public interface ComponentPricingRule {
        @Export("apply_rule")
        List<Adjustment> apply(QuoteLine line);
    }

    @TempDir
    static Path plugins;

    static byte[] bytes;
    static String location;

    @BeforeAll
    static void writeComponent() throws IOException {
        // The pricing-rust sample component (sample-plugins/pricing-rust), from plugin-host's test resources.
        try (InputStream in = ComponentPluginStarterTest.class.getResourceAsStream("/components/pricing-rust.wasm")) {
            bytes = in.readAllBytes();
        }
        location = file(write(plugins, "pricing-rust.wasm", bytes));
    }

    static QuoteLine line(int quantity) {
        return new QuoteLine("SKU-1", "Heft", "office", quantity, new BigDecimal("2.50"),
                new Customer("c-1", "Zoë", null, "DE"), "EUR", null);
    }

    @Test
    void aComponentLoadsFromItsLocationWithItsPinAndAnswersThroughTheView() {
        runner().withPropertyValues(
                        "graft.plugins.rust-rule.location=" + location,
                        "graft.plugins.rust-rule.sha256=" + PluginSource.sha256Hex(bytes),
                        "graft.plugins.rust-rule.extension-points=" + ComponentPricingRule.class.getName())
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PluginRegistry registry = context.getBean(PluginRegistry.class);
                    assertThat(registry.descriptor("rust-rule").orElseThrow().state()).isEqualTo(PluginState.ENABLED);
                    assertThat(registry.plugin("rust-rule").orElseThrow().isComponent()).isTrue();
                    List<List<Adjustment>> answers = registry.extensions(ComponentPricingRule.class).stream()
                            .map(rule -> rule.apply(line(50))).toList();
                    assertThat(answers).hasSize(1);
                    assertThat(answers.get(0)).singleElement().satisfies(a -> {
                        assertThat(a.ruleId()).isEqualTo("volume-discount");
                        assertThat(a.amount()).isEqualByComparingTo("-12.50");
                        assertThat(a.reason()).contains("50 × Heft");
                    });
                });
    }

    @Test
    void aWrongPinRefusesTheComponentAsAnyPlugin() {
        runner().withPropertyValues(
                        "graft.plugins.rust-rule.location=" + location,
                        "graft.plugins.rust-rule.sha256=" + "0".repeat(64),
                        "graft.plugins.rust-rule.extension-points=" + ComponentPricingRule.class.getName())
                .run(context -> {
                    // Not required: the application starts, the plugin is registered as refused and serves nothing.
                    assertThat(context).hasNotFailed();
                    PluginRegistry registry = context.getBean(PluginRegistry.class);
                    assertThat(registry.plugin("rust-rule")).isEmpty();
                    assertThat(registry.descriptor("rust-rule").orElseThrow().lastError()).contains("sha256");
                    assertThat(registry.extensions(ComponentPricingRule.class).isEmpty()).isTrue();
                });
    }
}
