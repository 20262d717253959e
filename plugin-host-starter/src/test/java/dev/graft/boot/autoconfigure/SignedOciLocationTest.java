package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.answering;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import dev.graft.host.source.LoopbackRegistry;
import dev.graft.host.source.OciReference;
import dev.graft.host.source.OciRegistry;
import dev.graft.host.source.PluginSource;
import dev.graft.host.trust.PemKeys;
import dev.graft.host.trust.Signer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oci://} locations under the trust policy from properties, against Debian's docker-registry on
 * loopback (skipped when it is not installed): the cosign signature tag is pulled and verified.
 */
class SignedOciLocationTest extends StarterTestSupport {

    static final KeyPair RELEASE = Signer.generateKeyPair();

    @TempDir
    Path dir;

    LoopbackRegistry registry;
    String host;

    @BeforeEach
    void start() throws Exception {
        registry = LoopbackRegistry.start(dir);
        host = registry.host();
    }

    @AfterEach
    void stop() throws Exception {
        if (registry != null) {
            registry.close();
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
