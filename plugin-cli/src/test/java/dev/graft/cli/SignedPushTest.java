package dev.graft.cli;

import static dev.graft.cli.GraftCommandTest.graft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.graft.cli.GraftCommandTest.Run;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft push --sign-key} then {@code graft verify oci://…} against Debian's docker-registry on loopback. */
class SignedPushTest {

    static final Path REGISTRY = Path.of("/usr/bin/docker-registry");

    @TempDir
    Path dir;

    Process registry;
    String host;
    String userHome;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(REGISTRY), "Debian's docker-registry is not installed");
        // The CLI caches pulls under ~/.cache/graft/oci unless GRAFT_OCI_CACHE is set: keep the test's home private.
        userHome = System.getProperty("user.home");
        System.setProperty("user.home", dir.resolve("home").toString());
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            host = "127.0.0.1:" + socket.getLocalPort();
        }
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
                throw new IllegalStateException("registry did not start: " + Files.readString(dir.resolve("registry.log")));
            }
            Thread.sleep(50);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (userHome != null) {
            System.setProperty("user.home", userHome);
        }
        if (registry != null) {
            registry.destroy();
            if (!registry.waitFor(10, TimeUnit.SECONDS)) {
                registry.destroyForcibly();
            }
        }
    }

    @Test
    void pushWithASignKeyStoresACosignSignatureThatVerifyAndCallAccept() {
        graft("keygen", dir.toString(), "--name", "release");
        graft("keygen", dir.toString(), "--name", "other");
        String ref = "oci://" + host + "/graft/hello:1.0";
        Run push = graft("push", "../examples/hello-as/hello.wasm", ref, "--sign-key", dir.resolve("release.key").toString());
        assertEquals(0, push.code(), push.stderr());
        assertTrue(push.stderr().contains(":sha256-") && push.stderr().contains(".sig"), push.stderr());

        Run verified = graft("verify", ref, "--key", dir.resolve("release.pub").toString());
        assertEquals(0, verified.code(), verified.stderr());
        assertEquals("verified", verified.out().strip());
        Run other = graft("verify", ref, "--key", dir.resolve("other.pub").toString());
        assertEquals(2, other.code(), other.stderr());
        assertTrue(other.stderr().contains("keys tried: other"), other.stderr());

        Run call = graft("call", ref, "greet", "--input", "OCI", "--trusted-key", dir.resolve("release.pub").toString(),
                "--require-signature");
        assertEquals(0, call.code(), call.stderr());
        assertEquals("Hello, OCI!", call.out());

        Run unsignedPush = graft("push", "../examples/hello-as/hello.wasm", "oci://" + host + "/graft/unsigned:1.0");
        assertEquals(0, unsignedPush.code(), unsignedPush.stderr());
        Run unsigned = graft("verify", "oci://" + host + "/graft/unsigned:1.0", "--key", dir.resolve("release.pub").toString());
        assertEquals(2, unsigned.code());
        assertTrue(unsigned.stderr().contains("not signed"), unsigned.stderr());
    }
}
