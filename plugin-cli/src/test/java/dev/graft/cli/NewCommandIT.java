package dev.graft.cli;

import static dev.graft.cli.Toolchains.ROOT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.cli.scaffold.Scaffold.Language;
import java.io.IOException;
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
}
