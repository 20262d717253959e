package dev.graft.boot.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.host.registry.PluginRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Plugin routes served by a real embedded Tomcat: WAGI and Extism contracts, limits, files and environment. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = PluginRoutesTest.App.class)
class PluginRoutesTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @RestController
        static class OwnController {
            @GetMapping("/own")
            String own() {
                return "controller";
            }
        }
    }

    @TempDir
    static Path dir;

    @DynamicPropertySource
    static void plugins(DynamicPropertyRegistry registry) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("hello.txt"), "from a host folder\n");
        String echo = RouteFixtures.write(dir, "echo.wasm", RouteFixtures.echo("Content-Type: text/plain\n\n"));
        plugin(registry, "echo", echo, "capabilities.wasi=true", "capabilities.env.GREETING=hello",
                "capabilities.env.APP_MODE=blue");
        plugin(registry, "status", RouteFixtures.write(dir, "status.wasm",
                RouteFixtures.echo("Status: 201 Created\nContent-Type: text/plain\nX-Plugin: yes\n\n")),
                "capabilities.wasi=true");
        plugin(registry, "redirect", RouteFixtures.write(dir, "redirect.wasm",
                RouteFixtures.echo("Location: /elsewhere\n\n")), "capabilities.wasi=true");
        plugin(registry, "headless", RouteFixtures.write(dir, "headless.wasm",
                RouteFixtures.echo("X-Plugin: yes\n\n")), "capabilities.wasi=true");
        plugin(registry, "small", echo, "capabilities.wasi=true", "max-input-bytes=1KB", "max-output-bytes=4KB");
        String loop = RouteFixtures.write(dir, "loop.wasm", RouteFixtures.looping());
        plugin(registry, "spin", loop, "capabilities.wasi=true", "fuel=1000000");
        plugin(registry, "hang", loop, "capabilities.wasi=true", "fuel=0", "timeout=300ms");
        String reader = RouteFixtures.write(dir, "reader.wasm", RouteFixtures.fileReader());
        plugin(registry, "files", reader, "capabilities.files=/data=file:" + data.toAbsolutePath());
        plugin(registry, "cpfiles", reader, "capabilities.files=/static=classpath:route-files");
        plugin(registry, "toggled", echo, "capabilities.wasi=true");
        plugin(registry, "api", RouteFixtures.write(dir, "api.wasm", RouteFixtures.extismEcho()));
        route(registry, 0, "/echo/...", "echo", "wagi");
        route(registry, 1, "/echo/exact", "status", "wagi");
        route(registry, 2, "/redirect", "redirect", "wagi");
        route(registry, 3, "/headless", "headless", "wagi");
        route(registry, 4, "/small", "small", "wagi");
        route(registry, 5, "/spin", "spin", "wagi");
        route(registry, 6, "/hang", "hang", "wagi");
        route(registry, 7, "/files", "files", "wagi");
        route(registry, 8, "/cpfiles", "cpfiles", "wagi");
        route(registry, 9, "/api/...", "api", "extism");
        route(registry, 10, "/own", "echo", "wagi");
        route(registry, 11, "/disabled", "toggled", "wagi");
    }

    static void plugin(DynamicPropertyRegistry registry, String id, String location, String... policy) {
        registry.add("graft.plugins." + id + ".location", () -> location);
        for (String setting : policy) {
            int eq = setting.indexOf('=');
            registry.add("graft.plugins." + id + ".policy." + setting.substring(0, eq), () -> setting.substring(eq + 1));
        }
    }

    static void route(DynamicPropertyRegistry registry, int n, String path, String plugin, String kind) {
        registry.add("graft.routes[" + n + "].path", () -> path);
        registry.add("graft.routes[" + n + "].plugin", () -> plugin);
        registry.add("graft.routes[" + n + "].kind", () -> kind);
    }

    @LocalServerPort
    int port;

    @Autowired
    PluginRegistry registry;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    JsonNode problem(HttpResponse<String> response) throws IOException {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        return json.readTree(response.body());
    }

    @Test
    void wagiGetsArgumentsCgiVariablesGrantedEnvironmentAndBody() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/echo/a/b%20c?x=1&name=J%C3%BCrg+en&flag"))
                .header("Content-Type", "text/plain").header("X-Trace-Id", "t-42").header("Authorization", "Bearer secret")
                .POST(HttpRequest.BodyPublishers.ofString("the body")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        String[] parts = r.body().split("--\n", -1);
        assertThat(parts).hasSize(3);
        assertThat(parts[0]).isEqualTo("/echo/a/b c\nx=1\nname=Jürg en\nflag\n");
        assertThat(parts[1]).contains("REQUEST_METHOD=POST\n", "QUERY_STRING=x=1&name=J%C3%BCrg+en&flag\n",
                "PATH_INFO=/a/b c\n", "X_RAW_PATH_INFO=/a/b%20c\n", "SCRIPT_NAME=/echo\n", "X_MATCHED_ROUTE=/echo/...\n",
                "CONTENT_TYPE=text/plain\n", "CONTENT_LENGTH=8\n", "SERVER_NAME=localhost\n", "SERVER_PORT=" + port + "\n",
                "HTTP_X_TRACE_ID=t-42\n", "GREETING=hello\n", "APP_MODE=blue\n", "GATEWAY_INTERFACE=CGI/1.1\n");
        assertThat(parts[1]).doesNotContain("secret", "HTTP_CONTENT_TYPE");
        assertThat(parts[2]).isEqualTo("the body");
    }

    @Test
    void exactRoutesWinOverWildcardsAndAWildcardMatchesItsBase() throws Exception {
        HttpResponse<String> exact = get("/echo/exact");
        assertThat(exact.statusCode()).isEqualTo(201);
        assertThat(exact.headers().firstValue("X-Plugin")).hasValue("yes");
        assertThat(exact.body()).contains("X_MATCHED_ROUTE=/echo/exact");

        assertThat(get("/echo/exact/more").body()).contains("X_MATCHED_ROUTE=/echo/...", "PATH_INFO=/exact/more\n");
        HttpResponse<String> base = get("/echo");
        assertThat(base.statusCode()).isEqualTo(200);
        assertThat(base.body()).contains("X_MATCHED_ROUTE=/echo/...", "PATH_INFO=\n");
        assertThat(get("/echoes").statusCode()).isEqualTo(404);
        assertThat(get("/echo/").body()).contains("PATH_INFO=/\n");
    }

    @Test
    void anApplicationControllerWinsOverARouteOfTheSamePath() throws Exception {
        assertThat(get("/own").body()).isEqualTo("controller");
    }

    @Test
    void aLocationHeaderRedirects() throws Exception {
        HttpResponse<String> r = get("/redirect");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location").orElseThrow()).endsWith("/elsewhere");
    }

    @Test
    void aWagiResponseWithoutContentTypeIsAProblem() throws Exception {
        HttpResponse<String> r = get("/headless");
        assertThat(r.statusCode()).isEqualTo(500);
        JsonNode p = problem(r);
        assertThat(p.get("status").asInt()).isEqualTo(500);
        assertThat(p.get("plugin").asText()).isEqualTo("headless");
        assertThat(p.get("route").asText()).isEqualTo("/headless");
        assertThat(p.get("detail").asText()).contains("no Content-Type header");
        assertThat(p.get("instance").asText()).isEqualTo("/headless");
    }

    @Test
    void aBodyOverMaxInputBytesIs413() throws Exception {
        HttpResponse<String> r = post("/small", "text/plain", "x".repeat(2048));
        assertThat(r.statusCode()).isEqualTo(413);
        JsonNode p = problem(r);
        assertThat(p.get("limit").asText()).isEqualTo("max-input-bytes");
        assertThat(p.get("plugin").asText()).isEqualTo("small");
        assertThat(post("/small", "text/plain", "x".repeat(512)).statusCode()).isEqualTo(200);
    }

    @Test
    void aResponseOverMaxOutputBytesIsAProblem() throws Exception {
        HttpResponse<String> r = post("/small", "text/plain", "y".repeat(1000) + "?".repeat(20));
        assertThat(r.statusCode()).isEqualTo(200);
        HttpResponse<String> big = send(HttpRequest.newBuilder(uri("/small?" + "q=1&".repeat(1000))).GET());
        assertThat(big.statusCode()).isEqualTo(500);
        assertThat(problem(big).get("limit").asText()).isEqualTo("max-output-bytes");
    }

    @Test
    void aLoopingPluginEndsOnItsFuelBudget() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = get("/spin");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(r.statusCode()).isEqualTo(500);
        JsonNode p = problem(r);
        assertThat(p.get("limit").asText()).isEqualTo("fuel");
        assertThat(p.get("type").asText()).isEqualTo("urn:graft:problem:fuel");
        assertThat(p.get("detail").asText()).contains("spin", "fuel budget of 1000000");
    }

    @Test
    void anUnmeteredLoopingPluginEndsOnItsTimeout() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = get("/hang");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(r.statusCode()).isEqualTo(503);
        JsonNode p = problem(r);
        assertThat(p.get("limit").asText()).isEqualTo("timeout");
        assertThat(p.get("plugin").asText()).isEqualTo("hang");
    }

    @Test
    void filesFromAHostFolderAndFromTheClasspathAreReadable() throws Exception {
        HttpResponse<String> host = get("/files");
        assertThat(host.statusCode()).isEqualTo(200);
        assertThat(host.body()).isEqualTo("from a host folder\n");
        assertThat(get("/cpfiles").body()).isEqualTo("from the classpath\n");
    }

    @Test
    void anExtismRouteGetsAJsonRequestAndAnswersAJsonResponse() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/items/7?sort=desc&tag=a%20b&tag=c"))
                .header("Content-Type", "application/json").header("X-Trace-Id", "t-7")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"qty\": 3}")));
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("X-Echo")).hasValue("yes");
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        JsonNode request = json.readTree(r.body());
        assertThat(request.get("method").asText()).isEqualTo("PUT");
        assertThat(request.get("path").asText()).isEqualTo("/api/items/7");
        assertThat(request.get("route").asText()).isEqualTo("/api/...");
        assertThat(request.get("pathInfo").asText()).isEqualTo("/items/7");
        assertThat(request.get("query").get("sort").asText()).isEqualTo("desc");
        assertThat(request.get("query").get("tag").asText()).isEqualTo("a b");
        assertThat(request.get("queryString").asText()).isEqualTo("sort=desc&tag=a%20b&tag=c");
        assertThat(request.get("headers").get("x-trace-id").asText()).isEqualTo("t-7");
        assertThat(request.get("headers").get("content-type").asText()).isEqualTo("application/json");
        assertThat(request.get("body").asText()).isEqualTo("{\"qty\": 3}");

        HttpResponse<byte[]> binary = http.send(HttpRequest.newBuilder(uri("/api/bin"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, 0, 1})).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode echoed = json.readTree(new String(binary.body(), StandardCharsets.UTF_8));
        assertThat(echoed.has("body")).isFalse();
        assertThat(echoed.get("bodyBase64").asText()).isEqualTo("/wAB");
    }

    @Test
    void aDisabledPluginAnswers503() throws Exception {
        registry.disable("toggled");
        try {
            HttpResponse<String> r = get("/disabled");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(problem(r).get("detail").asText()).contains("toggled", "disabled");
        } finally {
            registry.enable("toggled");
        }
        assertThat(get("/disabled").statusCode()).isEqualTo(200);
    }
}
