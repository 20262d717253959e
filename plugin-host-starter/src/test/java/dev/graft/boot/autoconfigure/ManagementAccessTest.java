package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.answering;
import static dev.graft.boot.autoconfigure.StarterFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.boot.audit.PluginLifecycleEvent;
import dev.graft.host.registry.PluginRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The {@code graft} actuator endpoint's write operation over HTTP: not mapped by default (the endpoint
 * is read-only unless the application grants {@code management.endpoint.graft.access=unrestricted});
 * when granted, it works and each change is published as a {@link PluginLifecycleEvent}.
 */
class ManagementAccessTest {

    @TempDir
    static Path dir;

    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        final List<PluginLifecycleEvent> heard = new CopyOnWriteArrayList<>();

        @EventListener
        void on(PluginLifecycleEvent event) {
            heard.add(event);
        }

        @Bean
        List<PluginLifecycleEvent> heard() {
            return heard;
        }
    }

    static void plugin(DynamicPropertyRegistry registry) {
        registry.add("graft.plugins.alpha.location", () -> "file:" + write(dir, "alpha.wasm", answering("alpha")));
        registry.add("management.endpoints.web.exposure.include", () -> "graft");
    }

    static HttpResponse<String> send(int port, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Nested
    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = App.class)
    class ByDefault {

        @DynamicPropertySource
        static void properties(DynamicPropertyRegistry registry) {
            plugin(registry);
        }

        @LocalServerPort int port;
        @Autowired PluginRegistry registry;

        @Test
        void theWriteOperationIsNotMappedAndChangesNothing() throws Exception {
            assertThat(send(port, "GET", "/actuator/graft").statusCode()).isEqualTo(200);
            for (String action : List.of("disable", "reload", "revert", "reset")) {
                int status = send(port, "POST", "/actuator/graft/alpha/" + action).statusCode();
                assertThat(status).as(action).isIn(404, 405);
            }
            assertThat(registry.descriptor("alpha").orElseThrow().serving()).isTrue();
        }
    }

    @Nested
    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = App.class,
            properties = "management.endpoint.graft.access=unrestricted")
    class WhenTheApplicationGrantsIt {

        @DynamicPropertySource
        static void properties(DynamicPropertyRegistry registry) {
            plugin(registry);
        }

        @LocalServerPort int port;
        @Autowired PluginRegistry registry;
        @Autowired List<PluginLifecycleEvent> heard;

        @Test
        void writesWorkAndEveryChangeIsAnEventShownByTheEndpoint() throws Exception {
            HttpResponse<String> disabled = send(port, "POST", "/actuator/graft/alpha/disable");
            assertThat(disabled.statusCode()).isEqualTo(200);
            assertThat(registry.descriptor("alpha").orElseThrow().serving()).isFalse();
            assertThat(send(port, "POST", "/actuator/graft/alpha/enable").statusCode()).isEqualTo(200);
            assertThat(send(port, "POST", "/actuator/graft/alpha/revert").statusCode()).isEqualTo(200);

            assertThat(heard).extracting(PluginLifecycleEvent::action)
                    .containsSubsequence("LOADED", "DISABLED", "ENABLED", "REVERTED");
            PluginLifecycleEvent disabledEvent = heard.stream().filter(e -> e.action().equals("DISABLED")).findFirst()
                    .orElseThrow();
            assertThat(disabledEvent.pluginId()).isEqualTo("alpha");
            assertThat(disabledEvent.principal()).isEqualTo(PluginLifecycleEvent.SYSTEM);   // no Spring Security here
            assertThat(disabledEvent.sha256()).hasSize(64);

            JsonNode report = json.readTree(send(port, "GET", "/actuator/graft").body());
            assertThat(report.at("/events/0/action").asText()).isEqualTo("REVERTED");   // newest first
            assertThat(report.at("/events/0/pluginId").asText()).isEqualTo("alpha");
            assertThat(report.at("/plugins/0/uploaded").asBoolean()).isFalse();
        }

        @Test
        void anUnknownIdIsA404NamingItAndAnUnknownActionA400() throws Exception {
            int eventsBefore = heard.size();
            HttpResponse<String> unknown = send(port, "POST", "/actuator/graft/nobody/enable");
            assertThat(unknown.statusCode()).isEqualTo(404);   // docs/spring-boot.md: "404 when unknown" (it was a 204)
            JsonNode body = json.readTree(unknown.body());
            assertThat(body.path("plugin").asText()).isEqualTo("nobody");
            assertThat(body.path("error").asText()).isEqualTo("no plugin with id 'nobody'");
            assertThat(body.path("known").toString()).isEqualTo("[\"alpha\"]");

            assertThat(send(port, "POST", "/actuator/graft/alpha/explode").statusCode()).isEqualTo(400);
            assertThat(heard).hasSize(eventsBefore);   // neither changed anything
        }
    }
}
