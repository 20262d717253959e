package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.HostFunction;
import dev.graft.api.PluginCallException;
import dev.graft.api.OptionalField;
import dev.graft.host.component.ImportingComponents;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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
    static String tiersLocation;

    @BeforeAll
    static void writeComponent() throws IOException {
        // The pricing-rust sample component (sample-plugins/pricing-rust), from plugin-host's test resources.
        try (InputStream in = ComponentPluginStarterTest.class.getResourceAsStream("/components/pricing-rust.wasm")) {
            bytes = in.readAllBytes();
        }
        location = file(write(plugins, "pricing-rust.wasm", bytes));
        tiersLocation = file(write(plugins, "tiers.wasm", ImportingComponents.tiers()));
    }

    // ---- A component importing @HostFunction bean methods (see ImportingComponents for its world) ----

    public record Wide(String a, String b, String c, String d, String e, String f, String g, String h, String i) {
    }

    @ExtensionPoint(id = "tiers")
    public interface Tiers {
        String describe(String customerId);

        List<String> wide();
    }

    /** The application's host functions: the same bean methods an Extism module would call with JSON. */
    static class ErpFunctions {
        @HostFunction("erp_customer_tier")
        Optional<String> tierOf(String customerId) {
            if (customerId.equals("boom")) {
                throw new IllegalStateException("ERP down");
            }
            return customerId.equals("c-1") ? Optional.of("gold") : Optional.empty();
        }

        @HostFunction("erp.wide")
        List<String> wide(Wide w) {
            return List.of(w.a() + w.b() + w.i());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ErpConfiguration {
        @Bean
        ErpFunctions erpFunctions() {
            return new ErpFunctions();
        }
    }

    @Test
    void aComponentImportsHostFunctionBeanMethodsGrantedByThePolicy() {
        runner().withUserConfiguration(ErpConfiguration.class).withPropertyValues(
                        "graft.plugins.tiers.location=" + tiersLocation,
                        "graft.plugins.tiers.extension-points=" + Tiers.class.getName(),
                        "graft.plugins.tiers.policy.capabilities.host-functions=erp_customer_tier,erp.wide")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PluginRegistry registry = context.getBean(PluginRegistry.class);
                    assertThat(registry.descriptor("tiers").orElseThrow().state()).isEqualTo(PluginState.ENABLED);
                    Tiers tiers = registry.extensions(Tiers.class).byId("tiers").orElseThrow();
                    assertThat(tiers.describe("c-1")).isEqualTo("gold");
                    assertThat(tiers.describe("c-9")).isEqualTo("none");
                    assertThat(tiers.wide()).containsExactly("abi");
                    assertThatThrownBy(() -> tiers.describe("boom"))
                            .isInstanceOf(PluginCallException.class)
                            .hasMessageContaining("host function 'erp_customer_tier' failed")
                            .hasMessageContaining("ERP down");
                });
    }

    @Test
    void aComponentImportingAnUngrantedHostFunctionIsRefused() {
        runner().withUserConfiguration(ErpConfiguration.class).withPropertyValues(
                        "graft.plugins.tiers.location=" + tiersLocation,
                        "graft.plugins.tiers.extension-points=" + Tiers.class.getName(),
                        "graft.plugins.tiers.policy.capabilities.host-functions=erp.wide")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PluginRegistry registry = context.getBean(PluginRegistry.class);
                    assertThat(registry.plugin("tiers")).isEmpty();
                    assertThat(registry.descriptor("tiers").orElseThrow().lastError())
                            .contains("component import 'erp-customer-tier'")
                            .contains("needs host function capability 'erp_customer_tier'");
                });
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
