package dev.graft.cli;

import static dev.graft.cli.Toolchains.ROOT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.cli.scaffold.Scaffold.Language;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code graft new} out of the box, per language: the project it writes for the sample {@code PricingRule}
 * builds with the toolchains of sample-plugins/setup.sh (twice, to the same bytes), {@code graft check}
 * accepts the module with the sample input, and the generated Maven test project passes.
 */
class NewCommandIT {

    static final String CONTRACT = "dev.graft.samples.contracts.PricingRule";

    @TempDir
    Path work;

    @ParameterizedTest
    @EnumSource(Language.class)
    void aNewProjectBuildsPassesItsTestAndFitsTheContract(Language language) throws IOException {
        Toolchains.assumeInstalled(language);
        Path project = work.resolve("my-rule");
        String classes = ROOT.resolve("sample-contracts/target/classes").toString();

        StringWriter err = new StringWriter();
        int exit = GraftCommand.run(new String[] {"new", project.toString(), "--lang", language.id(), "--contract", CONTRACT,
            "--classpath", classes}, new PrintWriter(err, true));
        assertEquals(0, exit, err::toString);
        assertTrue(err.toString().contains("dev.graft:sample-contracts:"), err::toString);
        try (Stream<Path> files = Files.walk(project)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                assertFalse(text.contains(ROOT.toString()), () -> file + " points back into the Graft checkout");
            }
        }

        // It builds, and builds again to the same bytes.
        String built = Toolchains.ok(project, Map.of(), 300, "./build.sh");
        Path wasm = project.resolve("my-rule.wasm");
        assertTrue(built.contains("built my-rule.wasm"), built);
        assertFalse(built.toLowerCase().contains("warning"), () -> "the generated code builds without warnings:\n" + built);
        byte[] first = Files.readAllBytes(wasm);
        Toolchains.ok(project, Map.of(), 300, "./build.sh");
        assertArrayEquals(first, Files.readAllBytes(wasm), "build.sh is reproducible");

        // graft check decodes the sample input's output exactly as the host would.
        err = new StringWriter();
        exit = GraftCommand.run(new String[] {"check", wasm.toString(), "--contract", CONTRACT, "--classpath", classes,
            "--input-file", project.resolve("sample-input.json").toString()}, new PrintWriter(err, true));
        assertEquals(0, exit, err::toString);
        assertTrue(err.toString().contains("ok: the output of 'apply_rule' decodes as java.util.List<"), err::toString);

        // The generated Maven test project passes, on plugin-test.
        List<String> mvn = new ArrayList<>(List.of("mvn"));
        mvn.addAll(Toolchains.mavenOptions(work));
        mvn.addAll(List.of("-q", "test"));
        Toolchains.ok(project.resolve("test"), Map.of(), 300, mvn.toArray(String[]::new));
        Path report = project.resolve("test/target/surefire-reports/TEST-plugin.MyRuleTest.xml");
        String xml = Files.readString(report, StandardCharsets.UTF_8);
        assertTrue(xml.contains("tests=\"1\"") && xml.contains("failures=\"0\"") && xml.contains("errors=\"0\"")
                && xml.contains("skipped=\"0\""), xml);
    }

    /**
     * A contract with every shape (strings, money as string and as number, integers, doubles, booleans, lists of
     * lists, nested and optional records, optional numbers, renamed fields, raw bytes out, a list in, a number out):
     * the project builds without warnings, each export reads its whole sample input, and its example output decodes.
     */
    @ParameterizedTest
    @EnumSource(Language.class)
    void everyShapeBuildsAndEachExampleOutputFitsTheContract(Language language) throws IOException {
        Toolchains.assumeInstalled(language);
        Path project = work.resolve("shapes");
        String classes = Path.of("target/test-classes").toAbsolutePath().toString();
        String contract = "dev.graft.cli.shapes.ShapesContract";
        StringWriter err = new StringWriter();
        int exit = GraftCommand.run(new String[] {"new", project.toString(), "--lang", language.id(), "--contract", contract,
            "--classpath", classes, "--contract-artifact", "example:shapes:1"}, new PrintWriter(err, true));
        assertEquals(0, exit, err::toString);
        String built = Toolchains.ok(project, Map.of(), 300, "./build.sh");
        assertFalse(built.toLowerCase().contains("warning"), () -> "the generated code builds without warnings:\n" + built);
        for (String export : List.of("echo_shapes", "render_small", "count_words")) {
            StringWriter checked = new StringWriter();
            exit = GraftCommand.run(new String[] {"check", project.resolve("shapes.wasm").toString(), "--contract", contract,
                "--classpath", classes, "--export", export, "--input-file",
                project.resolve("sample-input-" + export + ".json").toString()}, new PrintWriter(checked, true));
            assertEquals(0, exit, () -> export + ": " + checked);
        }

        // Rules that answer with what they read: each export's output is its sample input, so every shape is read
        // and written back exactly (money keeps its digits, optional fields their presence, renamed fields their name).
        Map<String, String> echo = Map.of(
                "src/rule.rs", """
                        use crate::contract::*;
                        pub fn echo(input: Everything) -> Result<Everything, String> { Ok(input) }
                        pub fn render(small: Small) -> Result<Vec<u8>, String> { Ok(small.name.into_bytes()) }
                        pub fn count(words: Vec<String>) -> Result<i64, String> { Ok(words.len() as i64) }
                        """,
                "rule.c", """
                        #include "contract.h"
                        int rule_echo(const Everything *input, Everything *result) { *result = *input; return 0; }
                        int rule_render(const Small *small, graft_buf *result) { graft_puts(result, small->name); return 0; }
                        int rule_count(const graft_string_list *words, int64_t *result) { *result = (int64_t)words->len; return 0; }
                        """,
                "assembly/rule.ts", """
                        import { Everything, Small } from "./contract";
                        export function echo(input: Everything): Everything { return input; }
                        export function render(small: Small): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(small.name)); }
                        export function count(words: Array<string>): i64 { return words.length; }
                        """);
        String rule = switch (language) {
            case RUST -> "src/rule.rs";
            case C -> "rule.c";
            case ASSEMBLYSCRIPT -> "assembly/rule.ts";
        };
        Files.writeString(project.resolve(rule), echo.get(rule));
        Toolchains.ok(project, Map.of(), 300, "./build.sh");
        ObjectMapper json = new ObjectMapper();
        JsonNode input = json.readTree(project.resolve("sample-input-echo_shapes.json").toFile());
        assertEquals(input, json.readTree(checkOutput(project, contract, classes, "echo_shapes")));
        assertEquals("example name", checkOutput(project, contract, classes, "render_small"));
        assertEquals("1", checkOutput(project, contract, classes, "count_words"));
    }

    /** What `graft check` prints to stdout (the plugin's output), after it exits 0. */
    private static String checkOutput(Path project, String contract, String classes, String export) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = GraftCommand.run(new String[] {"check", project.resolve("shapes.wasm").toString(), "--contract", contract,
                "--classpath", classes, "--export", export, "--input-file",
                project.resolve("sample-input-" + export + ".json").toString()}, new PrintWriter(err, true));
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, exit, () -> export + ": " + err);
        return captured.toString(StandardCharsets.UTF_8);
    }
}
