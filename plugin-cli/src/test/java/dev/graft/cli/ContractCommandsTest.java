package dev.graft.cli;

import static dev.graft.cli.GraftCommandTest.graft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.host.abi.AnsweringModule;
import dev.graft.cli.GraftCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft check} and {@code graft schema} against the sample {@code PricingRule} contract. */
class ContractCommandsTest {

    static final String VOLUME_DISCOUNT = "../sample-plugins/volume-discount/volume-discount.wasm";
    static final String PRICING_RULE = "dev.graft.samples.contracts.PricingRule";
    static final String LINE = """
            {"sku":"SKU-1","name":"Tee","category":"food","quantity":10,"unitPrice":"19.99",
             "customer":{"id":"C-1","name":"Ana","tier":"gold","region":"AT"},"currency":"EUR"}""";

    @TempDir
    Path dir;

    Path file(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    /** A pricing rule that answers {@code output} whatever it is asked. */
    Path ruleAnswering(String output) throws Exception {
        Path f = dir.resolve("answering.wasm");
        Files.write(f, AnsweringModule.wasm("apply_rule", output));
        return f;
    }

    @Test
    void checkAcceptsASamplePluginAndDecodesItsOutputAsTheHostWould() throws Exception {
        Run shape = graft("check", VOLUME_DISCOUNT, "--contract", PRICING_RULE);
        assertEquals(0, shape.code(), shape.stderr());
        assertTrue(shape.stderr().contains("ok: export 'apply_rule' for List<Adjustment> PricingRule.apply(QuoteLine)"),
                shape.stderr());
        Run call = graft("check", VOLUME_DISCOUNT, "--contract", PRICING_RULE, "--input-file", file("line.json", LINE).toString());
        assertEquals(0, call.code(), call.stderr());
        assertTrue(call.out().contains("\"amount\":\"-10.00\""), call.out());
        assertTrue(call.stderr().contains("decodes as java.util.List<dev.graft.samples.contracts.Adjustment> (1 element)"),
                call.stderr());
    }

    /**
     * A WebAssembly component takes typed values: check reads the input as the argument, calls through the typed
     * interface and prints the answer in the codec's JSON: what the Extism sample of the same rule answers.
     */
    @Test
    void checkCallsAComponentThroughTheTypedInterface() throws Exception {
        String component = "../sample-plugins/pricing-rust/pricing-rust.wasm";
        Run shape = graft("check", component, "--contract", PRICING_RULE);
        assertEquals(0, shape.code(), shape.stderr());
        assertTrue(shape.stderr().contains("ok: component export 'apply-rule' for List<Adjustment> PricingRule.apply(QuoteLine)"),
                shape.stderr());
        String line = file("line.json", LINE).toString();
        Run call = graft("check", component, "--contract", PRICING_RULE, "--input-file", line, "--stats");
        assertEquals(0, call.code(), call.stderr());
        Run extism = graft("check", VOLUME_DISCOUNT, "--contract", PRICING_RULE, "--input-file", line);
        assertEquals(extism.out(), call.out());
        assertTrue(call.stderr().contains("fuel: ")
                && call.stderr().contains("ok: the answer of component export 'apply-rule' lifts as "
                        + "java.util.List<dev.graft.samples.contracts.Adjustment> (1 element)"), call.stderr());
        Run bytes = graft("call", component, "apply-rule", "--input", LINE);
        assertEquals(64, bytes.code(), bytes.stderr());
        assertTrue(bytes.stderr().contains("is a WebAssembly component: its exports take typed values, not bytes; "
                + "call it with `graft check"), bytes.stderr());
        Run input = graft("check", component, "--contract", PRICING_RULE, "--input", "{\"sku\":\"x\"}");
        assertEquals(64, input.code(), input.stderr());
        assertTrue(input.stderr().contains("the input is not a valid dev.graft.samples.contracts.QuoteLine at $"),
                input.stderr());
    }

    @Test
    void checkExitsNineWhenTheOutputDoesNotMatchTheContract() throws Exception {
        Run missing = graft("check", ruleAnswering("[{\"ruleId\":\"bulk\",\"reason\":\"r\"}]").toString(),
                "--contract", PRICING_RULE, "--input", LINE);
        assertEquals(9, missing.code(), missing.stderr());
        assertTrue(missing.stderr().contains("plugin 'answering': output of 'apply_rule' does not match")
                && missing.stderr().contains("at $[0].amount: missing required field 'amount'"), missing.stderr());
        Run comma = graft("check", ruleAnswering("[{\"ruleId\":\"bulk\",\"amount\":\"75,00 EUR\",\"reason\":\"r\"}]").toString(),
                "--contract", PRICING_RULE, "--input", LINE);
        assertEquals(9, comma.code(), comma.stderr());
        assertTrue(comma.stderr().contains("at $[0].amount"), comma.stderr());
        Run typo = graft("check", ruleAnswering("[{\"ruleId\":\"bulk\",\"amount\":\"75.00\",\"reason\":\"r\",\"currency\":\"EUR\"}]").toString(),
                "--contract", PRICING_RULE, "--input", LINE);
        assertEquals(9, typo.code(), typo.stderr());
        assertTrue(typo.stderr().contains("at $[0].currency: unknown field 'currency'"), typo.stderr());
        Run ok = graft("check", ruleAnswering("[{\"ruleId\":\"bulk\",\"amount\":\"75.00\",\"reason\":\"r\"}]").toString(),
                "--contract", PRICING_RULE, "--input", LINE);
        assertEquals(0, ok.code(), ok.stderr());
    }

    @Test
    void checkExitsTwoWhenAnExportIsMissingAndListsTheModulesExports() {
        Run run = graft("check", VOLUME_DISCOUNT, "--contract", "dev.graft.samples.contracts.TreeRenderer");
        assertEquals(2, run.code(), run.stderr());
        assertTrue(run.stderr().contains("has no export 'render_tree'; the module exports [")
                && run.stderr().contains("apply_rule"), run.stderr());
    }

    @Test
    void checkRefusesAnInputThatIsNotOfTheArgumentTypeAndUnknownClasses() {
        Run input = graft("check", VOLUME_DISCOUNT, "--contract", PRICING_RULE, "--input", "{\"sku\":\"x\"}");
        assertEquals(64, input.code(), input.stderr());
        assertTrue(input.stderr().contains("the input is not a valid dev.graft.samples.contracts.QuoteLine at $"),
                input.stderr());
        Run wrongType = graft("check", VOLUME_DISCOUNT, "--contract", PRICING_RULE, "--input",
                LINE.replace("\"quantity\":10", "\"quantity\":\"10\""));
        assertEquals(64, wrongType.code(), wrongType.stderr());
        assertTrue(wrongType.stderr().contains("QuoteLine at $.quantity: wrong type, expected int")
                && !wrongType.stderr().contains("CoercionConfig"), wrongType.stderr());
        Run unknown = graft("check", VOLUME_DISCOUNT, "--contract", "no.such.Rule");
        assertEquals(64, unknown.code(), unknown.stderr());
        assertTrue(unknown.stderr().contains("no.such.Rule not found"), unknown.stderr());
        Run notAPoint = graft("schema", "java.lang.Runnable");
        assertEquals(64, notAPoint.code(), notAPoint.stderr());
    }

    @Test
    void schemaDescribesEachExportsInputAndOutput() throws Exception {
        Run run = graft("schema", PRICING_RULE);
        assertEquals(0, run.code(), run.stderr());
        JsonNode root = new ObjectMapper().readTree(run.out());
        assertEquals("pricing-rule", root.get("extensionPoint").asText());
        JsonNode export = root.get("exports").get("apply_rule");
        JsonNode adjustment = export.get("output").get("items").get("properties");
        assertEquals("string", adjustment.get("amount").get("type").asText(), adjustment.toString());
        assertTrue(adjustment.get("amount").get("required").asBoolean(), adjustment.toString());
        assertTrue(adjustment.get("ruleId").get("required").asBoolean(), adjustment.toString());
        JsonNode line = export.get("input").get("properties");
        assertEquals("integer", line.get("quantity").get("type").asText());
        assertTrue(line.get("sku").get("required").asBoolean(), line.toString());
        assertFalse(line.get("promoCode").path("required").asBoolean(), line.toString());
        assertFalse(line.get("customer").get("properties").get("tier").path("required").asBoolean(), line.toString());
    }

    @Test
    void aRenamedComponentIsRequiredInTheSchemaAsTheCodecRequiresIt() throws Exception {
        Run run = graft("schema", "dev.graft.cli.shapes.ShapesContract");
        assertEquals(0, run.code(), run.stderr());
        JsonNode everything = new ObjectMapper().readTree(run.out()).get("exports").get("echo_shapes").get("input")
                .get("properties");
        assertTrue(everything.get("renamed").get("required").asBoolean(), everything.toString());
        assertTrue(everything.get("text").get("required").asBoolean(), everything.toString());
        assertFalse(everything.get("extra").path("required").asBoolean(), everything.toString());
    }

    @Test
    void statsPrintTheSha256ToPin() throws Exception {
        String lock = Files.readAllLines(Path.of("../sample-plugins/plugins.lock")).stream()
                .filter(l -> l.endsWith("volume-discount/volume-discount.wasm")).findFirst().orElseThrow().split("\\s+")[0];
        Run run = graft("call", VOLUME_DISCOUNT, "apply_rule", "--input", LINE, "--stats");
        assertEquals(0, run.code(), run.stderr());
        assertTrue(run.stderr().contains("sha256: " + lock), run.stderr());
    }
}
