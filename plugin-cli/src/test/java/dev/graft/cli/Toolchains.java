package dev.graft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.graft.cli.scaffold.Scaffold.Language;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the integration tests of {@code graft new} need from the machine: the plugin toolchains that
 * {@code sample-plugins/setup.sh} installs (a missing one skips its language with an assumption that says
 * what to install), Maven for the nested test projects, and a way to run commands with a time limit.
 */
final class Toolchains {

    /** The Graft checkout (failsafe sets graft.it.root). */
    static final Path ROOT = Path.of(System.getProperty("graft.it.root", "..")).toAbsolutePath().normalize();

    private Toolchains() {
    }

    /** Skips the test unless {@code language}'s toolchain is installed. */
    static void assumeInstalled(Language language) {
        switch (language) {
            case RUST -> assumeTrue(Files.isExecutable(Path.of("/usr/bin/rustc"))
                    && Files.isDirectory(Path.of("/usr/lib/rustlib/wasm32-unknown-unknown")),
                    "Rust: /usr/bin/rustc with the wasm32 std is missing (apt-get install rustc libstd-rust-dev-wasm32 "
                            + "lld-14, or sample-plugins/setup.sh)");
            case C -> assumeTrue(onPath("clang-14") && Files.isDirectory(Path.of("/usr/lib/wasm32-wasi")),
                    "C: clang-14 with wasi-libc is missing (apt-get install clang-14 lld-14 wasi-libc "
                            + "libclang-rt-14-dev-wasm32, or sample-plugins/setup.sh)");
            case ASSEMBLYSCRIPT -> assumeTrue(nodeMajor() >= 20,
                    "AssemblyScript: Node >= 20 with npm is missing (sample-plugins/setup.sh installs it)");
        }
        assumeTrue(onPath("mvn"), "Maven (mvn) is not on the PATH");
    }

    /** The PATH for the builds: with sample-plugins/.tools/node/bin first where setup.sh put a Node 20 there. */
    static String path() {
        Path tools = ROOT.resolve("sample-plugins/.tools/node/bin");
        String path = System.getenv("PATH");
        return Files.isExecutable(tools.resolve("node")) ? tools + File.pathSeparator + path : path;
    }

    private static boolean onPath(String command) {
        for (String dir : path().split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static int nodeMajor() {
        try {
            Result r = run(Path.of("."), Map.of(), 30, "node", "-p", "process.versions.node.split('.')[0]");
            return r.exit() == 0 ? Integer.parseInt(r.output().trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** A finished command: its exit code and its output (stdout and stderr). */
    record Result(int exit, String output) {
    }

    /** Runs a command in {@code dir} with the build PATH and {@code env}; fails the test after {@code seconds}. */
    static Result run(Path dir, Map<String, String> env, long seconds, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", path());
        pb.environment().putAll(env);
        Path log = Files.createTempFile("graft-it", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " in " + dir + " took more than " + seconds + " s:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Runs a command that must succeed; returns its output. */
    static String ok(Path dir, Map<String, String> env, long seconds, String... command) throws IOException {
        Result r = run(dir, env, seconds, command);
        assertEquals(0, r.exit(), () -> String.join(" ", command) + " in " + dir + " failed:\n" + r.output());
        return r.output();
    }

    /**
     * Maven options for a nested build: the local repository that invoker:install filled with Graft's
     * artifacts, and a settings file mirroring everything else to the real local repository (offline-safe).
     */
    static List<String> mavenOptions(Path work) throws IOException {
        String localRepo = System.getProperty("graft.it.localRepo");
        String userRepo = System.getProperty("graft.it.userRepo");
        assumeTrue(localRepo != null && userRepo != null,
                "graft.it.localRepo/userRepo are not set: run through failsafe (mvn verify), which fills target/local-repo");
        Path settings = work.resolve("it-settings.xml");
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
        List<String> options = new ArrayList<>();
        options.add("-B");
        options.add("-s");
        options.add(settings.toString());
        options.add("-Dmaven.repo.local=" + localRepo);
        return options;
    }
}
