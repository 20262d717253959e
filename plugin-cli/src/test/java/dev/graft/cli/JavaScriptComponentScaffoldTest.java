package dev.graft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.host.binding.ExtensionContract;
import dev.graft.samples.contracts.PricingRule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The componentize-js project that {@code graft new --lang javascript} writes. */
class JavaScriptComponentScaffoldTest {

    @TempDir
    Path dir;

    @Test
    void writesTheWorldAModuleWithOneFunctionPerExportAndThePinnedToolchain() throws Exception {
        Path project = dir.resolve("my-rule");
        List<Path> files = JavaScriptComponentScaffold.write(project, ExtensionContract.of(PricingRule.class));
        assertEquals(List.of(Path.of("wit/pricing-rule.wit"), Path.of("pricing-rule.js"), Path.of("componentize.mjs"),
                Path.of("package.json"), Path.of(".gitignore"), Path.of("README.md")), files);
        assertEquals(Files.readString(WitCommandTest.SAMPLE_WIT), Files.readString(project.resolve("wit/pricing-rule.wit")));
        String js = Files.readString(project.resolve("pricing-rule.js"));
        assertTrue(js.contains("export function applyRule(line) {\n  return [];"), js);
        JsonNode pkg = new ObjectMapper().readTree(project.resolve("package.json").toFile());
        assertEquals("0.23.0", pkg.at("/devDependencies/@bytecodealliance~1componentize-js").asText());
        assertEquals("1.35.0", pkg.at("/devDependencies/@bytecodealliance~1jco").asText());
        assertEquals("0.25.0", pkg.at("/devDependencies/@bytecodealliance~1preview2-shim").asText());
        assertTrue(Files.readString(project.resolve("componentize.mjs")).contains("worldName: 'pricing-rule'"));
    }

    @Test
    void refusesAFolderThatIsNotEmpty() throws Exception {
        Files.writeString(dir.resolve("keep.txt"), "mine");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JavaScriptComponentScaffold.write(dir, ExtensionContract.of(PricingRule.class)));
        assertTrue(e.getMessage().contains("is not an empty folder"), e.getMessage());
        assertEquals("mine", Files.readString(dir.resolve("keep.txt")));
    }

    @Test
    void namesFollowJco() {
        assertEquals("applyRule", JavaScriptComponentScaffold.lowerCamel("apply-rule"));
        assertEquals("x", JavaScriptComponentScaffold.lowerCamel("x"));
        assertEquals("renderHttpTree", JavaScriptComponentScaffold.lowerCamel("render-http-tree"));
    }

    /** The scaffold builds as it is: componentize-js accepts it, and Node runs the component. */
    @Test
    void theScaffoldBuildsIntoAComponentThatAnswersNoAdjustments() throws Exception {
        Path tools = WitCommandTest.COMPONENT_TOOLS.toAbsolutePath().normalize();
        assumeTrue(Files.isDirectory(tools.resolve("node_modules/@bytecodealliance/componentize-js")),
                "skipped: componentize-js is not installed in sample-plugins/component-tools (run sample-plugins/setup.sh)");
        String node = WitCommandTest.nodeBinary();
        assumeTrue(node != null, "skipped: Node is not installed (sample-plugins/setup.sh installs it)");
        Path project = dir.resolve("rule");
        JavaScriptComponentScaffold.write(project, ExtensionContract.of(PricingRule.class));
        // the pinned toolchain, already installed, instead of an npm install from the registry
        Files.createSymbolicLink(project.resolve("node_modules"), tools.resolve("node_modules"));
        run(project, node, "componentize.mjs");
        byte[] component = Files.readAllBytes(project.resolve("pricing-rule.wasm"));
        assertEquals("0061736d0d000100", java.util.HexFormat.of().formatHex(component, 0, 8), "a component's header");
        String answers = run(tools, node, "run-components.mjs", "check-inputs.json", project.resolve("pricing-rule.wasm").toString());
        JsonNode results = new ObjectMapper().readTree(answers).get(0);
        assertTrue(results.size() > 3, answers);
        results.forEach(r -> assertEquals("{\"ok\":[]}", r.toString(), answers));
    }

    private static String run(Path in, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(in.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "did not finish in 5 minutes: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }
}
