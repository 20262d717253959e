package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executable jar, started with {@code java -jar} from an empty folder (as a user would after downloading it):
 * the sample plugins and their signatures come from inside the jar ({@code classpath:sample-plugins/...}), the
 * database is created in the folder, and the demo quote is priced. Then the same jar with the plugins from the
 * repository's files ({@code --erp.sample-plugins=file:...}). Runs in {@code mvn verify} after {@code package}
 * (failsafe); each start is bounded to 120 s.
 */
class JarStartsAnywhereIT {

    static final Duration START = Duration.ofSeconds(120);
    static final Map<String, String> PINS = PluginPinsTest.lockedDigests();
    static final List<String> PRICING_RULES = List.of("volume-discount", "customer-tier", "promo-codes", "regional-tax");

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static Path jar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().matches("sample-business-app-.*\\.jar")).toList();
            assumeTrue(jars.size() == 1, "no executable jar in target/ (run mvn package first): " + jars);
            return jars.get(0).toAbsolutePath();
        }
    }

    @Test
    void fromAnEmptyFolderThePluginsComeFromTheJar(@TempDir Path folder) throws Exception {
        Map<String, Object> plugins = startAndCheck(folder);
        plugins.forEach((id, location) -> assertThat((String) location).as(id)
                .isEqualTo("classpath:sample-plugins/" + (id.equals("tree-wagi") ? "fractal-tree/fractal-tree-cli"
                        : id + "/" + id) + ".wasm"));
    }

    @Test
    void theRepositorysFilesRemainAnOption(@TempDir Path folder) throws Exception {
        Path samplePlugins = PluginPinsTest.SAMPLE_PLUGINS.toAbsolutePath().normalize();
        Map<String, Object> plugins = startAndCheck(folder, "--erp.sample-plugins=file:" + samplePlugins);
        // a file source reports its path
        assertThat(plugins.get("regional-tax")).isEqualTo(samplePlugins.resolve("regional-tax/regional-tax.wasm").toString());
        assertThat(plugins.get("tree-wagi")).isEqualTo(samplePlugins.resolve("fractal-tree/fractal-tree-cli.wasm").toString());
    }

    @Test
    void aRelativeDataFolderIsResolvedAgainstTheWorkingFolder(@TempDir Path folder) throws Exception {
        // as the README shows it: H2 itself refuses "jdbc:h2:file:sample-business-app/data/erp" (implicitly relative)
        startAndCheck(folder, "--erp.data-dir=sample-business-app/data");
        assertThat(folder.resolve("data")).as("nothing in the default folder").doesNotExist();
    }

    /**
     * Starts the jar in {@code folder}, checks what every start must show, and answers each plugin's location.
     */
    Map<String, Object> startAndCheck(Path folder, String... extra) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-DontCompileHugeMethods", "-jar", jar().toString(), "--server.address=127.0.0.1", "--server.port=" + port,
                "--spring.security.user.password=it-admin-password", "--logging.level.root=WARN"));
        command.addAll(List.of(extra));
        Path log = folder.resolve("app.log");
        Process app = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            String base = "http://127.0.0.1:" + port;
            awaitHealthy(app, base + "/actuator/health", log);

            String plugins = get(base + "/api/plugins");
            Map<String, Object> locations = new LinkedHashMap<>();
            for (Map<String, Object> p : JsonPath.<List<Map<String, Object>>>read(plugins, "$")) {
                String id = (String) p.get("id");
                locations.put(id, p.get("location"));
                assertThat(p.get("state")).as(id).isEqualTo("enabled");
                // the pinned bytes (and, for the pricing rules, the signature found beside them: see the events)
                assertThat(p.get("sha256")).as(id).isEqualTo(PINS.get(id.equals("tree-wagi") ? "fractal-tree-cli" : id));
            }
            assertThat(locations).containsKeys("volume-discount", "customer-tier", "promo-codes", "regional-tax",
                    "fractal-tree", "tree-wagi", "wagi-echo");
            String events = get(base + "/api/plugins/events?limit=100");
            for (String rule : PRICING_RULES) {
                assertThat(JsonPath.<List<String>>read(events,
                        "$[?(@.pluginId == '" + rule + "' && @.action == 'LOADED')].signedBy")).as(rule).containsExactly("erp-demo");
            }
            String quote = get(base + "/api/quotes/1");   // the demo quote, priced at startup by the four rules
            assertThat(JsonPath.<String>read(quote, "$.total")).isEqualTo("648.02");
            assertThat(JsonPath.<List<String>>read(quote, "$.lines[0].adjustments[*].pluginId")).containsExactlyElementsOf(PRICING_RULES);
            String dataDir = Stream.of(extra).filter(a -> a.startsWith("--erp.data-dir=")).map(a -> a.substring(15))
                    .reduce((a, b) -> b).orElse("data");
            assertThat(folder.resolve(dataDir).resolve("erp.mv.db")).as("the H2 file in the working folder").exists();
            return locations;
        } finally {
            app.destroy();
            if (!app.waitFor(20, TimeUnit.SECONDS)) {
                app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    void awaitHealthy(Process app, String url, Path log) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                fail("the jar exited with " + app.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    assertThat(JsonPath.<String>read(health.body(), "$.status")).isEqualTo("UP");
                    return;
                }
            } catch (ConnectException | HttpTimeoutException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        fail("the jar did not answer " + url + " within " + START.toSeconds() + " s:\n" + Files.readString(log));
    }

    String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response.body();
    }
}
