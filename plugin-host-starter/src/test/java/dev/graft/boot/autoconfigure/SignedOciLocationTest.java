package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.answering;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import dev.graft.host.source.OciReference;
import dev.graft.host.source.OciRegistry;
import dev.graft.host.source.PluginSource;
import dev.graft.host.trust.PemKeys;
import dev.graft.host.trust.Signer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oci://} locations under the trust policy from properties, against Debian's docker-registry on
 * loopback (skipped when it is not installed): the cosign signature tag is pulled and verified.
 */
class SignedOciLocationTest extends StarterTestSupport {

    static final Path REGISTRY = Path.of("/usr/bin/docker-registry");
    static final KeyPair RELEASE = Signer.generateKeyPair();

    @TempDir
    Path dir;

    Process registry;
    String host;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(REGISTRY), "Debian's docker-registry is not installed (.ci/run installs it)");
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
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
        if (registry != null) {
            registry.destroy();
            if (!registry.waitFor(10, TimeUnit.SECONDS)) {
                registry.destroyForcibly();
            }
        }
    }

    @Test
    void aSignedOciPluginLoadsAndAnUnsignedOneIsRefusedByTheExtensionPointsPolicy() throws Exception {
        OciRegistry oci = new OciRegistry(dir.resolve("push-cache"));
        OciReference signed = OciReference.parse("oci://" + host + "/graft/signed:1.0");
        oci.pushSignature(signed, oci.push(answering("signed"), signed), RELEASE.getPrivate());
        byte[] unsignedModule = answering("unsigned");
        oci.push(unsignedModule, OciReference.parse("oci://" + host + "/graft/unsigned:1.0"));
        Path pub = Files.writeString(dir.resolve("release.pub"), PemKeys.writePublicKey(RELEASE.getPublic()));

        runner().withPropertyValues("graft.oci-cache-dir=" + dir.resolve("cache"), "graft.trust.keys.release=" + file(pub),
                "graft.extension-point-policies.pricing-rule.require-signature=true",
                "graft.plugins.signed.location=oci://" + host + "/graft/signed:1.0",
                "graft.plugins.signed.extension-points=" + PRICING_RULE,
                "graft.plugins.unsigned.location=oci://" + host + "/graft/unsigned:1.0",
                "graft.plugins.unsigned.extension-points=" + PRICING_RULE).run(context -> {
                    assertThat(context).hasNotFailed();
                    PluginRegistry plugins = context.getBean(PluginRegistry.class);
                    assertThat(plugins.plugin("signed").orElseThrow().signedBy()).contains("release");
                    assertThat(plugins.descriptor("unsigned").orElseThrow().state()).isEqualTo(PluginState.FAILED);
                    assertThat(plugins.descriptor("unsigned").orElseThrow().lastError())
                            .contains("sha256:" + PluginSource.sha256Hex(unsignedModule))
                            .contains("extension point pricing-rule").contains("not signed").contains("keys tried: release");
                });
    }
}
