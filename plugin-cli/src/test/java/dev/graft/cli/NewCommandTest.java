package dev.graft.cli;

import static dev.graft.cli.GraftCommandTest.graft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.cli.GraftCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft new}: what it writes and what it refuses (builds and tests of the result: NewCommandIT). */
class NewCommandTest {

    static final String PRICING_RULE = "dev.graft.samples.contracts.PricingRule";

    @TempDir
    Path dir;

    @Test
    void writesARustProjectWithTheContractsRecordsAndAPinnedTest() throws Exception {
        Path project = dir.resolve("bulk-surcharge");
        Run run = graft("new", project.toString(), "--lang", "rust", "--contract", PRICING_RULE);
        assertEquals(0, run.code(), run.stderr());
        assertTrue(run.stderr().contains("test project on dev.graft:sample-contracts:0.1.0-SNAPSHOT"), run.stderr());
        String contract = Files.readString(project.resolve("src/contract.rs"));
        assertTrue(contract.contains("pub struct QuoteLine {") && contract.contains("pub unit_price: Dec,")
                && contract.contains("pub promo_code: Option<String>,") && contract.contains("json::field(v, \"unitPrice\")?")
                && contract.contains("json::write_decimal_string(out, &self.amount);"), contract);
        String lib = Files.readString(project.resolve("src/lib.rs"));
        assertTrue(lib.contains("#[export_name = \"apply_rule\"]") && lib.contains("rule::apply(line)?"), lib);
        String build = Files.readString(project.resolve("build.sh"));
        assertTrue(build.contains("RUSTC=${RUSTC:-/usr/bin/rustc}") && build.contains("-o bulk-surcharge.wasm src/lib.rs")
                && build.contains("sha256sum bulk-surcharge.wasm > bulk-surcharge.wasm.sha256"), build);
        assertTrue(Files.isExecutable(project.resolve("build.sh")));
        String test = Files.readString(project.resolve("test/src/test/java/plugin/BulkSurchargeTest.java"));
        assertTrue(test.contains("@WasmPlugin(path = \"../bulk-surcharge.wasm\", lockFile = \"../bulk-surcharge.wasm.sha256\")")
                && test.contains("PricingRule plugin;"), test);
        String pom = Files.readString(project.resolve("test/pom.xml"));
        assertTrue(pom.contains("<artifactId>plugin-test</artifactId>") && pom.contains("<artifactId>sample-contracts</artifactId>")
                && pom.contains("<version>0.1.0-SNAPSHOT</version>"), pom);
        assertFalse(pom.contains("${"), "versions are filled in: " + pom);
        String input = Files.readString(project.resolve("sample-input.json"));
        assertTrue(input.contains("\"unitPrice\" : \"12.50\"") && input.contains("\"promoCode\""), input);
    }

    @Test
    void eachLanguageHasItsOwnSources() throws Exception {
        assertEquals(0, graft("new", dir.resolve("c-rule").toString(), "--lang", "c", "--contract", PRICING_RULE).code());
        assertTrue(Files.readString(dir.resolve("c-rule/contract.h")).contains("int rule_apply(const QuoteLine *line, Adjustment_list *result);"));
        assertEquals(0, graft("new", dir.resolve("as-rule").toString(), "--lang", "as", "--contract", PRICING_RULE).code());
        assertTrue(Files.readString(dir.resolve("as-rule/assembly/rule.ts")).contains("export function apply(line: QuoteLine): Array<Adjustment>"));
        assertTrue(Files.readString(dir.resolve("as-rule/package.json")).contains("\"@extism/as-pdk\": \"1.0.0\""));
    }

    @Test
    void javascriptWritesAComponentProjectOnTheContractsWitWorld() throws Exception {
        Path project = dir.resolve("js-rule");
        Run run = graft("new", project.toString(), "--lang", "javascript", "--contract", PRICING_RULE);
        assertEquals(0, run.code(), run.stderr());
        assertTrue(run.stderr().contains("JavaScript component"), run.stderr());
        assertEquals(WitWorld.of(dev.graft.host.binding.ExtensionContract.of(
                dev.graft.samples.contracts.PricingRule.class)), Files.readString(project.resolve("wit/pricing-rule.wit")));
        assertTrue(Files.exists(project.resolve("package.json")) && Files.exists(project.resolve("pricing-rule.js")));
        Run again = graft("new", project.toString(), "--lang", "js", "--contract", PRICING_RULE);
        assertEquals(ExitCodes.USAGE, again.code(), again.stderr());
        assertTrue(again.stderr().contains("not an empty folder"), again.stderr());
    }

    @Test
    void refusesAnUnknownLanguageAFullFolderABadNameAndAClassThatIsNoExtensionPoint() throws Exception {
        Run lang = graft("new", dir.resolve("x").toString(), "--lang", "cobol", "--contract", PRICING_RULE);
        assertEquals(64, lang.code());
        assertTrue(lang.stderr().contains("--lang cobol: one of rust, assemblyscript, c"), lang.stderr());

        Files.createDirectories(dir.resolve("full"));
        Files.writeString(dir.resolve("full/file.txt"), "x");
        Run full = graft("new", dir.resolve("full").toString(), "--lang", "rust", "--contract", PRICING_RULE);
        assertEquals(64, full.code());
        assertTrue(full.stderr().contains("exists and is not an empty folder"), full.stderr());
        assertTrue(Files.exists(dir.resolve("full/file.txt")), "nothing overwritten");

        Run name = graft("new", dir.resolve("Bad_Name").toString(), "--lang", "rust", "--contract", PRICING_RULE);
        assertEquals(64, name.code());
        assertTrue(name.stderr().contains("plugin name 'Bad_Name'"), name.stderr());

        Run notAPoint = graft("new", dir.resolve("y").toString(), "--lang", "rust", "--contract", "dev.graft.samples.contracts.QuoteLine");
        assertEquals(64, notAPoint.code());
        assertFalse(Files.exists(dir.resolve("y")), "nothing written");
    }
}
