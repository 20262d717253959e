package dev.graft.samples.erp;

import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.graft.host.abi.AnsweringModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * A pricing rule whose output leaves out {@code amount}: strict contracts refuse it with a
 * {@code PluginCodecException}, the pricing-rule fallback answers, and the quote names the plugin and the
 * JSON path (no HTTP 500 from a {@code null} amount); and the failed decision replays identically.
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles("test")
class CodecFallbackTest {

    /** Answers {@code [{"ruleId":"bulk","reason":"no amount"}]} to every line. */
    static final String OUTPUT = "[{\"ruleId\":\"bulk\",\"reason\":\"no amount\"}]";

    /** A rule that traps on every call (for the replay of a call that failed without an answer). */
    static final String TRAPS = "(module (func (export \"apply_rule\") (result i32) (unreachable)))";

    static Path module() {
        return signedModule("lacks-amount", AnsweringModule.wasm("apply_rule", OUTPUT));
    }

    static Path signedModule(String name, byte[] bytes) {
        try {
            Path file = Files.createTempFile(name, ".wasm");
            file.toFile().deleteOnExit();
            Files.write(file, bytes);
            // Pricing rules must be signed by a trusted key: sign it with the demo key, as ./graft sign would.
            Path signature = Path.of(file + ".sig");
            signature.toFile().deleteOnExit();
            Files.writeString(signature, DemoSigning.sign(bytes));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void lacksAmountRule(DynamicPropertyRegistry registry) {
        Path module = module();
        registry.add("graft.plugins.lacks-amount.location", () -> "file:" + module.toAbsolutePath());
        registry.add("graft.plugins.lacks-amount.extension-points", () -> "dev.graft.samples.contracts.PricingRule");
        registry.add("graft.plugins.lacks-amount.order", () -> "50");
        Path traps = signedModule("traps", com.dylibso.chicory.wabt.Wat2Wasm.parse(TRAPS));
        registry.add("graft.plugins.traps.location", () -> "file:" + traps.toAbsolutePath());
        registry.add("graft.plugins.traps.extension-points", () -> "dev.graft.samples.contracts.PricingRule");
        registry.add("graft.plugins.traps.order", () -> "60");
    }

    @Autowired MockMvc mvc;

    @Test
    void anOutputMissingAFieldFallsBackAndNamesThePluginAndThePath() throws Exception {
        // Customer 1 (gold, DE), 2 × 19.99 = 39.98: gold 10 % → -4.00, DE food 7 % → +2.80; the broken rule adds nothing.
        String quote = mvc.perform(post("/api/quotes").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"customerId\": 1, \"lines\": [{\"sku\": \"CAFE-1KG\", \"quantity\": 2}]}"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.status").value("PRICED_WITH_FAILURES"))
                .andExpect(jsonPath("$.failures", hasSize(2)))   // and the trapping rule
                .andExpect(jsonPath("$.failures[0].pluginId").value("lacks-amount"))
                .andExpect(jsonPath("$.failures[0].errorType").value("PluginCodecException"))
                .andExpect(jsonPath("$.failures[0].error").value(startsWith(
                        "plugin 'lacks-amount': output of 'apply_rule' does not match java.util.List<dev.graft.samples.contracts.Adjustment> "
                        + "at $[0].amount: missing required field 'amount'")))
                .andExpect(jsonPath("$.lines[0].ruleRuns[4].pluginId").value("lacks-amount"))
                .andExpect(jsonPath("$.lines[0].ruleRuns[4].outcome").value("fallback"))
                .andReturn().getResponse().getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        // the failed decision replays too: the plugin answers the same bytes (which the codec refused) for the same fuel
        mvc.perform(post("/api/quotes/" + com.jayway.jsonpath.JsonPath.read(quote, "$.id") + "/replay"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.identical").value(true))
                .andExpect(jsonPath("$.lines[0].rules[4].pluginId").value("lacks-amount"))
                .andExpect(jsonPath("$.lines[0].rules[4].status").value("identical"))
                .andExpect(jsonPath("$.lines[0].rules[4].outputIdentical").value(true))
                // a call that failed without an answer replays as the same failure for the same fuel
                .andExpect(jsonPath("$.lines[0].rules[5].pluginId").value("traps"))
                .andExpect(jsonPath("$.lines[0].rules[5].status").value("identical"))
                .andExpect(jsonPath("$.lines[0].rules[5].recordedError").value("PluginTrapException"))
                .andExpect(jsonPath("$.lines[0].rules[5].replayedError").value("PluginTrapException"));
    }
}
