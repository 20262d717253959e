package dev.graft.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Runs exactly the commands of the tutorial in docs/writing-plugins.md: every {@code ```sh} block preceded by
 * a line {@code <!-- tutorial:NAME -->}, the blocks of one name joined into one bash script ({@code -e}, in
 * one empty folder, as a reader pastes them into one shell), in the page's order: setup, rust,
 * assemblyscript, c, app. The environment is the reader's: {@code GRAFT} is the checkout; {@code mvn} is
 * Maven with the local repository that invoker:install filled (instead of the reader's {@code mvn install});
 * {@code PORT} is a free port. A language whose toolchain is missing is skipped with the reason, and the app
 * block then checks the languages that ran.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TutorialIT {

    static final Path ROOT = Path.of(System.getProperty("graft.it.root", "..")).toAbsolutePath().normalize();
    static final Path PAGE = ROOT.resolve("docs/writing-plugins.md");
    static final Pattern BLOCK = Pattern.compile("^<!-- tutorial:([a-z]+) -->\\n```sh\\n(.*?)^```", Pattern.MULTILINE | Pattern.DOTALL);

    Path work;
    Path bin;
    final Set<String> built = new LinkedHashSet<>();
    final List<String> timings = new ArrayList<>();

    @BeforeAll
    void folder() throws IOException {
        work = Files.createTempDirectory("graft-tutorial");
        bin = Files.createTempDirectory("graft-tutorial-bin");
    }

    @AfterAll
    void report() throws IOException {
        // The wall-clock of each block, for docs/writing-plugins.md's "Measured" (machine-dependent; not asserted).
        timings.forEach(System.out::println);
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    @Order(1)
    void setup() throws IOException {
        String out = run("setup", 60);
        assertTrue(Files.isRegularFile(work.resolve("keys/graft.key")) && Files.isDirectory(work.resolve("plugins")), out);
    }

    @Test
    @Order(2)
    void rust() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/rustc")) && Files.isDirectory(Path.of("/usr/lib/rustlib/wasm32-unknown-unknown")),
                "Rust: /usr/bin/rustc with the wasm32 std is missing (sample-plugins/setup.sh installs it)");
        language("rust", "surcharge-rs");
    }

    @Test
    @Order(3)
    void assemblyScript() throws IOException {
        assumeTrue(nodeMajor() >= 20, "AssemblyScript: Node >= 20 with npm is missing (sample-plugins/setup.sh installs it)");
        language("assemblyscript", "surcharge-as");
    }

    @Test
    @Order(4)
    void c() throws IOException {
        assumeTrue(onPath("clang-14") && Files.isDirectory(Path.of("/usr/lib/wasm32-wasi")),
                "C: clang-14 with wasi-libc is missing (sample-plugins/setup.sh installs it)");
        language("c", "surcharge-c");
    }

    @Test
    @Order(5)
    void theSampleAppLoadsThemAndTheQuoteShowsTheirSurcharges() throws IOException {
        assumeTrue(!built.isEmpty(), "no tutorial language ran");
        assumeTrue(Files.isRegularFile(ROOT.resolve("sample-business-app/target/sample-business-app-0.1.0-SNAPSHOT.jar")),
                "the sample app's jar is missing (mvn package)");
        assumeTrue(onPath("curl"), "curl is missing");
        String out = run("app", 300);
        for (String id : built) {
            assertTrue(out.contains("\"ruleId\":\"" + id + "\",\"amount\":\"75.00\",\"reason\":\"Bulk shipping surcharge 25.00 × 3 "
                    + "for Schreibtisch Eiche\",\"pluginId\":\"" + id + "\""), () -> id + " is not in the quote:\n" + out
                            + "\napp.log:\n" + log());
        }
        String log = log();
        for (String id : built) {
            assertTrue(log.contains("Loaded plugin '" + id + "' from "), log);
        }
    }

    private void language(String name, String id) throws IOException {
        String out = run(name, 600);
        // graft check printed the output, decoded as the host decodes it
        assertTrue(out.contains("[{\"ruleId\":\"" + id + "\",\"amount\":\"75.00\",\"reason\":\"Bulk shipping surcharge 25.00 × 3 for "
                + "Schreibtisch Eiche\"}]"), out);
        assertTrue(out.contains("ok: the output of 'apply_rule' decodes as java.util.List<dev.graft.samples.contracts.Adjustment> (1 element)"), out);
        // the test project ran the tutorial's assertion, and passed
        String test = Files.readString(work.resolve(id + "/test/src/test/java/plugin/" + className(id) + "Test.java"));
        assertTrue(test.contains("assertEquals(\"75.00\", result.get(0).amount().toPlainString());"), test);
        String report = Files.readString(work.resolve(id + "/test/target/surefire-reports/TEST-plugin." + className(id) + "Test.xml"));
        assertTrue(report.contains("tests=\"1\"") && report.contains("failures=\"0\"") && report.contains("errors=\"0\""), report);
        // pinned and signed in the plugin folder
        String pin = Files.readString(work.resolve(id + "/" + id + ".wasm.sha256")).split("\\s+")[0];
        assertTrue(Files.readString(work.resolve("plugins/" + id + ".properties")).contains("sha256=" + pin));
        assertTrue(Files.isRegularFile(work.resolve("plugins/" + id + ".wasm.sig")));
        built.add(id);
    }

    /** Runs the blocks named {@code name} as one bash script in the work folder; answers its output. */
    private String run(String name, long seconds) throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(Files.readString(PAGE, StandardCharsets.UTF_8));
        while (m.find()) {
            if (m.group(1).equals(name)) {
                blocks.add(m.group(2));
            }
        }
        assertFalse(blocks.isEmpty(), "docs/writing-plugins.md has no block marked <!-- tutorial:" + name + " -->");
        Path script = bin.resolve(name + ".sh");
        Files.writeString(script, String.join("\n", blocks));
        ProcessBuilder pb = new ProcessBuilder("bash", "-eo", "pipefail", script.toString()).directory(work.toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(environment());
        Path log = bin.resolve(name + ".log");
        pb.redirectOutput(log.toFile());
        long start = System.nanoTime();
        Process p = pb.start();
        // Everything the script starts (the app, in the background) is ended with it, also when a command fails
        // before the script's own `kill`: a background job outlives bash, so remember descendants while it runs.
        Set<ProcessHandle> started = new LinkedHashSet<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                p.descendants().forEach(started::add);
                done = p.waitFor(500, TimeUnit.MILLISECONDS);
            }
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            timings.add(String.format("tutorial:%s %.1f s", name, (System.nanoTime() - start) / 1e9));
            assertTrue(done, () -> "the tutorial's " + name + " blocks took more than " + seconds + " s:\n" + out);
            assertEquals(0, p.exitValue(), () -> "the tutorial's " + name + " blocks failed:\n" + out);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            started.forEach(ProcessHandle::destroy);
        }
    }

    private Map<String, String> environment() throws IOException {
        String localRepo = System.getProperty("graft.it.localRepo");
        String userRepo = System.getProperty("graft.it.userRepo");
        assumeTrue(localRepo != null && userRepo != null, "run through failsafe (mvn verify), which fills target/local-repo");
        Path settings = bin.resolve("settings.xml");
        Files.writeString(settings, """
                <settings>
                  <mirrors>
                    <mirror>
                      <id>local-repository</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%s</url>
                    </mirror>
                  </mirrors>
                </settings>
                """.formatted(Path.of(userRepo).toUri()));
        String mvn = which("mvn");
        assumeTrue(mvn != null, "Maven (mvn) is not on the PATH");
        // The reader's `mvn`, after their `mvn install` of Graft: here the nested build's local repository.
        Path shim = bin.resolve("mvn");
        Files.writeString(shim, "#!/bin/sh\nexec '" + mvn + "' -B -s '" + settings + "' '-Dmaven.repo.local=" + localRepo + "' \"$@\"\n");
        shim.toFile().setExecutable(true);
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin + File.pathSeparator + path());
        env.put("GRAFT", ROOT.toString());
        env.put("PORT", Integer.toString(freePort()));
        return env;
    }

    private String log() {
        try {
            return Files.readString(work.resolve("app.log"));
        } catch (IOException e) {
            return "(no app.log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The PATH, with sample-plugins/.tools/node/bin first where setup.sh put a Node 20 there. */
    private static String path() {
        Path tools = ROOT.resolve("sample-plugins/.tools/node/bin");
        String path = System.getenv("PATH");
        return Files.isExecutable(tools.resolve("node")) ? tools + File.pathSeparator + path : path;
    }

    private static String which(String command) {
        for (String dir : path().split(File.pathSeparator)) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static boolean onPath(String command) {
        return which(command) != null;
    }

    private static int nodeMajor() {
        String node = which("node");
        if (node == null) {
            return 0;
        }
        try {
            Process p = new ProcessBuilder(node, "-p", "process.versions.node.split('.')[0]").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? Integer.parseInt(out) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** {@code surcharge-rs} → {@code SurchargeRs}, as graft new names the test class. */
    private static String className(String id) {
        StringBuilder s = new StringBuilder();
        for (String part : id.split("-")) {
            s.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return s.toString();
    }
}
