package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasSize;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.graft.api.policy.ExecutionMode;
import dev.graft.host.registry.PluginDescriptor;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Profile "components-js": the volume discount comes from the JavaScript component pricing-js (SpiderMonkey,
 * compiled into the jar by the build) instead of the Extism plugin volume-discount, and the demo quote is
 * priced exactly as {@link ErpApiTest} and {@link ComponentRuleTest} expect.
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles({"test", "components-js"})
class JavaScriptComponentRuleTest {

    static final Map<String, String> PINS = PluginPinsTest.lockedDigests();

    @Autowired MockMvc mvc;
    @Autowired PluginRegistry registry;

    @BeforeEach
    void theComponentLoadedCompiledFromTheJar() {
        PluginDescriptor component = registry.descriptor("pricing-js").orElseThrow();
        assertThat(component.state()).as("pricing-js: %s", component.lastError()).isEqualTo(PluginState.ENABLED);
        assertThat(component.sha256()).isEqualTo(PINS.get("pricing-js"));
        assertThat(registry.descriptor("volume-discount").orElseThrow().state()).isEqualTo(PluginState.DISABLED);
        // Tiered by default: compiled at once only because the build's classpath cache entry was found.
        assertThat(registry.plugin("pricing-js").orElseThrow().executionTier()).isEqualTo(ExecutionMode.COMPILED);
    }

    @Test
    void theJavaScriptComponentPricesTheDemoQuoteAsTheExtismRuleDoes() throws Exception {
        mvc.perform(post("/api/quotes").contentType(MediaType.APPLICATION_JSON).content("""
                {"customerId": 1, "promoCode": "spring10",
                 "lines": [{"sku": "CAFE-1KG", "quantity": 10}, {"sku": "DESK-OAK", "quantity": 1}]}"""))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.total").value("648.02"))
                .andExpect(jsonPath("$.failures", hasSize(0)))
                .andExpect(jsonPath("$.lines[0].adjustments[*].ruleId").value(
                        contains("volume-discount", "customer-tier", "promo-codes", "regional-tax")))
                .andExpect(jsonPath("$.lines[0].adjustments[*].amount").value(contains("-10.00", "-19.99", "-19.99", "13.99")))
                .andExpect(jsonPath("$.lines[0].adjustments[0].reason").value("Volume discount 5% for 10+ units: 10 × Café Crème 1 kg"))
                .andExpect(jsonPath("$.lines[0].adjustments[0].pluginId").value("pricing-js"))
                .andExpect(jsonPath("$.lines[0].adjustments[0].pluginSha256").value(PINS.get("pricing-js")))
                .andExpect(jsonPath("$.lines[1].adjustments[*].amount").value(contains("-48.90", "-48.90", "92.91")));
    }
}
