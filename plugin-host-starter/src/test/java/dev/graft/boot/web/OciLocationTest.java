package dev.graft.boot.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.graft.host.registry.PluginDescriptor;
import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import dev.graft.host.source.OciReference;
import dev.graft.host.source.OciRegistry;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * A plugin location {@code oci://…} through the starter, against Debian's docker-registry on loopback
 * (skipped when it is not installed): pulled and cached in {@code graft.oci-cache-dir}, then started from
 * the cache with the registry gone.
 */
class OciLocationTest {

    static final Path REGISTRY = Path.of("/usr/bin/docker-registry");

    @TempDir
    Path dir;

    @Test
    void aPluginPulledFromAnOciRegistryLoadsAndStartsFromTheCacheOffline() throws Exception {
        assumeTrue(Files.isExecutable(REGISTRY), "Debian's docker-registry is not installed (.ci/run installs it)");
        byte[] module = RouteFixtures.extismEcho();
        String host;
        Process registry = null;
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            host = "127.0.0.1:" + port;
            Path config = Files.writeString(dir.resolve("registry.yml"), """
                    version: 0.1
                    log:
                      level: error
                    storage:
                      filesystem:
                        rootdirectory: %s
                    http:
                      addr: %s
                    """.formatted(dir.resolve("storage"), host));
            registry = new ProcessBuilder(REGISTRY.toString(), "serve", config.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("registry.log").toFile()).start();
            awaitRegistry(host);
            new OciRegistry(dir.resolve("push-cache")).push(module, OciReference.parse("oci://" + host + "/graft/api:1.0"));

            web(host).run(context -> {
                assertThat(context).hasNotFailed();
                PluginDescriptor d = context.getBean(PluginRegistry.class).descriptor("api").orElseThrow();
                assertThat(d.state()).isEqualTo(PluginState.ENABLED);
                assertThat(d.sha256()).isEqualTo(PluginSource.sha256Hex(module));
            });
        } finally {
            if (registry != null) {
                registry.destroy();
                if (!registry.waitFor(10, TimeUnit.SECONDS)) {
                    registry.destroyForcibly();
                }
            }
        }
        // The registry is gone: the tag resolves from the cache.
        web(host).run(context -> assertThat(context.getBean(PluginRegistry.class).descriptor("api").orElseThrow().state())
                .isEqualTo(PluginState.ENABLED));
    }

    WebApplicationContextRunner web(String host) {
        return new WebApplicationContextRunner().withConfiguration(RouteSettingsTest.GRAFT).withPropertyValues(
                "graft.plugins.api.location=oci://" + host + "/graft/api:1.0", "graft.plugins.api.required=true",
                "graft.oci-cache-dir=" + dir.resolve("cache"),
                "graft.routes[0].path=/api/...", "graft.routes[0].plugin=api", "graft.routes[0].kind=extism");
    }

    static void awaitRegistry(String host) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("registry did not start");
            }
            Thread.sleep(50);
        }
    }
}
