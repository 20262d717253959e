package dev.graft.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample app README's "API" section, run as a reader runs it: the app's jar started with {@code java -jar} from
 * an empty folder (its "Run" section), then every {@code bash} block of the section, command by command, with
 * {@code localhost:8080} pointing at the started app, {@code $PASSWORD} the admin's and {@code ./graft} the
 * repository's. What the README shows after a command is checked against what it printed:
 * <ul>
 *   <li>a following {@code ```json} block, structurally: every member shown is there with that value, a value
 *       ending in {@code …} is a prefix, a {@code "…": "…"} member or {@code "…"} element stands for the rest;</li>
 *   <li>{@code # ...} comments: a leading status ({@code # 422 {...}}), {@code Header: value} pairs, and every
 *       {@code "key": value} pair shown (found anywhere in the answer);</li>
 * </ul>
 * so a changed amount, fuel figure, digest or message fails here. The reader's own files for the upload
 * ({@code my-rule.wasm}, {@code keys/graft.key}) are given: a sample module and the demo key the app trusts.
 * {@code elapsedMicros} is wall-clock and not compared.
 */
class SampleAppReadmeIT {

    static final Path README = Path.of("sample-business-app/README.md");
    static final Set<String> VARIES = Set.of("elapsedMicros");
    static final String PASSWORD = "docs-check-admin";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path folder;
    static Process app;
    static int port;

    static Path jar() throws IOException {
        try (Stream<Path> files = Files.list(Docs.ROOT.resolve("sample-business-app/target"))) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().matches("sample-business-app-[^-]+(-SNAPSHOT)?\\.jar")).toList();
            assertThat(jars).as("the sample app's jar (mvn package builds it before this module)").hasSize(1);
            return jars.get(0);
        }
    }

    @BeforeAll
    static void startTheAppAsTheReadmeSays() throws Exception {
        assumeTrue(Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "curl"))),
                "SampleAppReadmeIT skipped: no curl on the PATH (apt-get install curl; .ci/run installs it)");
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path log = folder.resolve("app.log");
        app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-DontCompileHugeMethods",
                "-jar", jar().toString(), "--server.address=127.0.0.1", "--server.port=" + port,
                "--spring.security.user.password=" + PASSWORD)
                .directory(folder.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                fail("the jar exited with " + app.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    // the reader's files for the upload example
                    Files.copy(Docs.ROOT.resolve("sample-plugins/promo-codes/promo-codes.wasm"), folder.resolve("my-rule.wasm"));
                    Files.createDirectories(folder.resolve("keys"));
                    Files.copy(Docs.ROOT.resolve("sample-business-app/src/test/resources/trust/erp-demo.private.pem"),
                            folder.resolve("keys/graft.key"));
                    return;
                }
            } catch (ConnectException | HttpTimeoutException notYet) {
                // starting
            }
            Thread.sleep(250);
        }
        fail("the app did not start within 120 s:\n" + Files.readString(log));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (app != null) {
            app.destroy();
            if (!app.waitFor(20, TimeUnit.SECONDS)) {
                app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** One command of a block and what the README shows it prints. */
    record Step(String where, String command, List<String> comments, String json) {
    }

    /** The bash blocks under "## API", split into commands, each with the comments (or json block) after it. */
    static List<Step> steps() {
        String text = Docs.read(README);
        int start = text.indexOf("\n## API\n");
        int end = text.indexOf("\n## ", start + 1);
        assertThat(start).as("README's API section").isPositive();
        int firstLine = (int) text.substring(0, start).lines().count() + 1;
        int lastLine = (int) text.substring(0, end).lines().count();
        List<Docs.Block> blocks = Docs.blocks(README).stream().filter(b -> b.line() > firstLine && b.line() < lastLine).toList();
        List<Step> steps = new ArrayList<>();
        for (int b = 0; b < blocks.size(); b++) {
            Docs.Block block = blocks.get(b);
            if (!block.language().equals("bash") || block.skip() != null) {
                continue;
            }
            List<String> lines = block.text().lines().toList();
            StringBuilder command = new StringBuilder();
            List<String> comments = new ArrayList<>();
            int commandLine = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                boolean open = command.chars().filter(c -> c == '\'').count() % 2 == 1 || command.toString().endsWith("\\\n");
                if (open) {
                    command.append(line).append('\n');
                    continue;
                }
                if (line.isBlank() || !line.startsWith("#")) {
                    if (command.length() > 0) {   // the previous command is complete, with its comments
                        steps.add(new Step(README + ":" + (block.line() + commandLine), command.toString(), comments, null));
                        command = new StringBuilder();
                        comments = new ArrayList<>();
                    }
                    if (line.isBlank()) {
                        continue;
                    }
                    commandLine = i;
                    Matcher trailing = Pattern.compile("^(.*?)\\s{2,}#\\s(.*)$").matcher(line);
                    if (trailing.matches() && trailing.group(1).chars().filter(c -> c == '\'').count() % 2 == 0) {
                        command.append(trailing.group(1)).append('\n');
                        comments.add(trailing.group(2).trim());
                    } else {
                        command.append(line).append('\n');
                    }
                } else {
                    comments.add(line.substring(1).trim());
                }
            }
            String json = b + 1 < blocks.size() && blocks.get(b + 1).language().equals("json") ? blocks.get(b + 1).text() : null;
            if (command.length() > 0) {
                steps.add(new Step(README + ":" + (block.line() + commandLine), command.toString(), comments, json));
            }
        }
        return steps;
    }

    @Test
    void theApiSectionsCommandsAnswerWhatTheReadmeShows() throws Exception {
        List<Step> steps = steps();
        assertThat(steps).as("commands in the API section").hasSizeGreaterThanOrEqualTo(8);
        assertThat(steps).filteredOn(s -> s.json() != null || !s.comments().isEmpty()).as("commands with a shown answer")
                .hasSizeGreaterThanOrEqualTo(5);
        List<String> wrong = new ArrayList<>();
        for (Step step : steps) {
            String output = run(step.command());
            int status = -1;
            Matcher marker = Pattern.compile("\n?@@status=(\\d+)\\s*$").matcher(output);
            if (marker.find()) {
                status = Integer.parseInt(marker.group(1));
                output = output.substring(0, marker.start());
            }
            List<String> problems = new ArrayList<>();
            if (step.json() != null) {
                match(JSON.readTree(step.json()), body(output), "$", problems);
            }
            check(String.join("\n", step.comments()), status, output, problems);
            if (!problems.isEmpty()) {
                wrong.add(step.where() + ": " + step.command().strip() + "\n    printed: " + output.strip()
                        + (status >= 0 ? " (status " + status + ")" : "") + "\n    " + String.join("\n    ", problems));
            }
        }
        assertThat(wrong).as("README commands whose answer differs from what the README shows").isEmpty();
    }

    /** The one-line commands the README shows inline, such as {@code `curl -d 'hello' 'localhost:8080/echo/x?who=me'`}: answered, not refused. */
    @Test
    void theInlineCurlCommandsAreAnswered() throws Exception {
        Matcher inline = Pattern.compile("`(curl [^`]*localhost:8080[^`]*)`").matcher(Docs.read(README));
        int ran = 0;
        while (inline.find()) {
            String output = run(inline.group(1));
            assertThat(output).as(inline.group(1)).containsPattern("@@status=2\\d\\d\\s*$");
            ran++;
        }
        assertThat(ran).as("inline curl commands").isPositive();
    }

    /** Runs one command in the reader's folder; curl also prints the status (as a last line the checks remove). */
    String run(String command) throws Exception {
        String local = command.replace("localhost:8080", "127.0.0.1:" + port)
                .replaceAll("(^|\\n)\\./graft ", "$1" + Docs.ROOT.resolve("graft") + " ").strip();
        if (local.startsWith("curl ")) {
            local = local + " -w '\\n@@status=%{http_code}'";
        }
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + local).directory(folder.toFile())
                .redirectErrorStream(true);
        builder.environment().put("PASSWORD", PASSWORD);
        Process p = builder.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(command).isTrue();
        assertThat(p.exitValue()).as(command + " exit code; printed " + out).isZero();
        return out;
    }

    static JsonNode body(String output) throws IOException {
        String text = output.contains("\r\n\r\n") ? output.substring(output.lastIndexOf("\r\n\r\n") + 4) : output;
        return JSON.readTree(text);
    }

    private static final Pattern STATUS = Pattern.compile("^(\\d{3})\\b");
    private static final Pattern HEADER = Pattern.compile("\\b([A-Z][A-Za-z-]+): (\\S+)");
    private static final Pattern PAIR = Pattern.compile(
            "\"(\\w+)\":\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|-?\\d+(?:\\.\\d+)?|true|false|null|\\[(?:\\s*\"(?:[^\"\\\\]|\\\\.)*\"\\s*,?)*\\])");

    static void check(String shown, int status, String output, List<String> problems) throws IOException {
        if (shown.isBlank()) {
            return;
        }
        Matcher s = STATUS.matcher(shown);
        if (s.find() && Integer.parseInt(s.group(1)) != status) {
            problems.add("status " + status + ", the README shows " + s.group(1));
        }
        String withoutJson = shown.contains("{") ? shown.substring(0, shown.indexOf('{')) : shown;
        Matcher h = HEADER.matcher(withoutJson);
        while (h.find()) {
            if (!Pattern.compile("(?im)^" + Pattern.quote(h.group(1)) + ": " + Pattern.quote(h.group(2)) + "\\s*$").matcher(output).find()) {
                problems.add("no header " + h.group(1) + ": " + h.group(2));
            }
        }
        Matcher pair = PAIR.matcher(shown);
        JsonNode actual = null;
        while (pair.find()) {
            if (actual == null) {
                actual = body(output);
            }
            String key = pair.group(1);
            JsonNode expected = JSON.readTree(pair.group(2));
            List<JsonNode> candidates = actual.findValues(key);
            boolean found = candidates.stream().anyMatch(c -> {
                List<String> p = new ArrayList<>();
                match(expected, c, key, p);
                return p.isEmpty();
            });
            if (!found) {
                problems.add("\"" + key + "\": " + pair.group(2) + " not in the answer (has " + candidates + ")");
            }
        }
    }

    /** The README's JSON against the answer: shown members and elements must match, "…" stands for the rest. */
    static void match(JsonNode expected, JsonNode actual, String path, List<String> problems) {
        if (actual == null || actual.isMissingNode()) {
            problems.add(path + ": missing");
        } else if (expected.isObject()) {
            if (!actual.isObject()) {
                problems.add(path + ": not an object: " + actual);
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                if (!member.getKey().equals("…") && !VARIES.contains(member.getKey())) {
                    match(member.getValue(), actual.get(member.getKey()), path + "." + member.getKey(), problems);
                }
            }
        } else if (expected.isArray()) {
            if (!actual.isArray()) {
                problems.add(path + ": not an array: " + actual);
                return;
            }
            int shown = expected.size();
            boolean more = shown > 0 && expected.get(shown - 1).asText().equals("…");
            int n = more ? shown - 1 : shown;
            if (more ? actual.size() < n : actual.size() != n) {
                problems.add(path + ": " + actual.size() + " elements, the README shows " + (more ? "at least " : "") + n);
                return;
            }
            for (int i = 0; i < n; i++) {
                match(expected.get(i), actual.get(i), path + "[" + i + "]", problems);
            }
        } else if (expected.isTextual() && expected.asText().contains("…")) {
            String[] parts = expected.asText().split("…", -1);
            String text = actual.asText();
            int at = 0;
            boolean ok = text.startsWith(parts[0]);
            for (String part : parts) {
                int found = text.indexOf(part, at);
                ok &= found >= 0;
                at = found < 0 ? at : found + part.length();
            }
            if (!ok || !text.endsWith(parts[parts.length - 1])) {
                problems.add(path + ": " + actual + ", the README shows " + expected);
            }
        } else if (expected.isNumber() && actual.isNumber()) {
            if (expected.decimalValue().compareTo(actual.decimalValue()) != 0) {
                problems.add(path + ": " + actual + ", the README shows " + expected);
            }
        } else if (!expected.equals(actual)) {
            problems.add(path + ": " + actual + ", the README shows " + expected);
        }
    }
}
