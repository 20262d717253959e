package dev.graft.cli;

import static dev.graft.cli.GraftCommandTest.graft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.cli.GraftCommandTest.Run;
import dev.graft.host.source.LoopbackRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft push --sign-key} then {@code graft verify oci://…} against Debian's docker-registry on loopback. */
class SignedPushTest {

    @TempDir
    Path dir;

    LoopbackRegistry registry;
    String host;
    String userHome;

    @BeforeEach
    void start() throws Exception {
        // The CLI caches pulls under ~/.cache/graft/oci unless GRAFT_OCI_CACHE is set: keep the test's home private.
        userHome = System.getProperty("user.home");
        System.setProperty("user.home", dir.resolve("home").toString());
        registry = LoopbackRegistry.start(dir);
        host = registry.host();
    }

    @AfterEach
    void stop() throws Exception {
        if (userHome != null) {
            System.setProperty("user.home", userHome);
        }
        if (registry != null) {
            registry.close();
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
