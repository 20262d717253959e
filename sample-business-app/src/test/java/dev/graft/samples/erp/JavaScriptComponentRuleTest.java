package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;

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
        ComponentRuleTest.priceTheDemoQuoteAsTheExtismRulesDo(mvc)
                .andExpect(jsonPath("$.lines[0].adjustments[0].pluginId").value("pricing-js"))
                .andExpect(jsonPath("$.lines[0].adjustments[0].pluginSha256").value(PINS.get("pricing-js")));
    }
}
