package dev.graft.host.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.graft.api.PluginLoadException;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push and pull against a real registry on loopback: Debian's docker-registry (distribution 2.8),
 * started and stopped here. {@code .ci/run} installs it.
 */
class OciRegistryTest {

    static final Path REGISTRY = Path.of("/usr/bin/docker-registry");
    static final Path HELLO = Path.of("../examples/hello-as/hello.wasm");

    @TempDir
    Path dir;

    Process registry;
    String host;

    @BeforeEach
    void startRegistry() throws Exception {
        assumeTrue(Files.isExecutable(REGISTRY), "Debian's docker-registry is not installed (.ci/run installs it)");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        host = "127.0.0.1:" + port;
        Path config = dir.resolve("registry.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: error
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: %s
                """.formatted(dir.resolve("storage"), host));
        registry = new ProcessBuilder(REGISTRY.toString(), "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("registry did not start: " + Files.readString(dir.resolve("registry.log")));
            }
            Thread.sleep(50);
        }
    }

    @AfterEach
    void stopRegistry() throws Exception {
        if (registry != null) {
            registry.destroy();
            if (!registry.waitFor(10, TimeUnit.SECONDS)) {
                registry.destroyForcibly();
            }
        }
    }

    @Test
    void pushedModuleIsPulledByTagAndDigestAndRunsFromTheCacheOffline() throws Exception {
        byte[] module = Files.readAllBytes(HELLO);
        Path cache = dir.resolve("cache");
        OciRegistry oci = new OciRegistry(cache);
        String digest = oci.push(module, OciReference.parse("oci://" + host + "/graft/hello:1.0"));
        assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);

        assertArrayEquals(module, new OciRegistry(dir.resolve("other-cache")).pull(OciReference.parse("oci://" + host + "/graft/hello@" + digest)));
        GraftEngine engine = GraftEngine.create();
        Plugin byTag = engine.load(PluginSpec.of(PluginSource.ofOci("hello", "oci://" + host + "/graft/hello:1.0", cache)
                .pinned(PluginSource.sha256Hex(module))));
        assertEquals("Hello, OCI!", byTag.call("greet", "OCI".getBytes(StandardCharsets.UTF_8)).outputString());

        stopRegistry();
        registry = null;
        // Offline: the tag remembers its digest, and the digest is cached.
        Plugin offline = engine.load(PluginSpec.of(PluginSource.ofOci("hello", "oci://" + host + "/graft/hello:1.0", cache)));
        assertEquals("Hello, again!", offline.call("greet", "again".getBytes(StandardCharsets.UTF_8)).outputString());
        PluginLoadException uncached = assertThrows(PluginLoadException.class, () -> engine.load(PluginSpec.of(
                PluginSource.ofOci("other", "oci://" + host + "/graft/other:1.0", cache))));
        assertTrue(uncached.getMessage().contains("not cached"), uncached.getMessage());
    }

    @Test
    void wrongDigestsAndMissingModulesAreRefused() throws Exception {
        OciRegistry oci = new OciRegistry(dir.resolve("cache"));
        oci.push(Files.readAllBytes(HELLO), OciReference.parse("oci://" + host + "/graft/hello:1.0"));
        String wrong = "sha256:" + "0".repeat(64);
        assertThrows(PluginLoadException.class, () -> GraftEngine.create().load(PluginSpec.of(
                PluginSource.ofOci("hello", "oci://" + host + "/graft/hello@" + wrong, dir.resolve("cache")))));
        assertThrows(PluginLoadException.class, () -> GraftEngine.create().load(PluginSpec.of(
                PluginSource.ofOci("hello", "oci://" + host + "/graft/nothing:1.0", dir.resolve("cache")))));
    }
}
