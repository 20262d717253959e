package dev.graft.samples.erp;

import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
 * JSON path (no HTTP 500 from a {@code null} amount).
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles("test")
class CodecFallbackTest {

    /** Answers {@code [{"ruleId":"bulk","reason":"no amount"}]} to every line. */
    static final String OUTPUT = "[{\"ruleId\":\"bulk\",\"reason\":\"no amount\"}]";

    static Path module() {
        int n = OUTPUT.getBytes(StandardCharsets.UTF_8).length;
        String wat = """
                (module
                  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
                  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
                  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
                  (memory 1)
                  (data (i32.const 0) "%s")
                  (func (export "apply_rule") (result i32)
                    (local $buf i64) (local $i i32)
                    (local.set $buf (call $alloc (i64.const %d)))
                    (block $done (loop $copy
                      (br_if $done (i32.ge_u (local.get $i) (i32.const %d)))
                      (call $store_u8 (i64.add (local.get $buf) (i64.extend_i32_u (local.get $i))) (i32.load8_u (local.get $i)))
                      (local.set $i (i32.add (local.get $i) (i32.const 1)))
                      (br $copy)))
                    (call $output_set (local.get $buf) (i64.const %d))
                    (i32.const 0)))
                """.formatted(OUTPUT.replace("\"", "\\\""), n, n, n);
        try {
            Path file = Files.createTempFile("lacks-amount", ".wasm");
            file.toFile().deleteOnExit();
            byte[] bytes = Wat2Wasm.parse(wat);
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
    }

    @Autowired MockMvc mvc;

    @Test
    void anOutputMissingAFieldFallsBackAndNamesThePluginAndThePath() throws Exception {
        // Customer 1 (gold, DE), 2 × 19.99 = 39.98: gold 10 % → -4.00, DE food 7 % → +2.80; the broken rule adds nothing.
        mvc.perform(post("/api/quotes").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"customerId\": 1, \"lines\": [{\"sku\": \"CAFE-1KG\", \"quantity\": 2}]}"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.status").value("PRICED_WITH_FAILURES"))
                .andExpect(jsonPath("$.failures", hasSize(1)))
                .andExpect(jsonPath("$.failures[0].pluginId").value("lacks-amount"))
                .andExpect(jsonPath("$.failures[0].errorType").value("PluginCodecException"))
                .andExpect(jsonPath("$.failures[0].error").value(startsWith(
                        "plugin 'lacks-amount': output of 'apply_rule' does not match java.util.List<dev.graft.samples.contracts.Adjustment> "
                        + "at $[0].amount: missing required field 'amount'")))
                .andExpect(jsonPath("$.lines[0].ruleRuns[4].pluginId").value("lacks-amount"))
                .andExpect(jsonPath("$.lines[0].ruleRuns[4].outcome").value("fallback"));
    }
}
