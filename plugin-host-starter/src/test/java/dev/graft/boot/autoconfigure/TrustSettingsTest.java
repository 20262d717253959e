package dev.graft.boot.autoconfigure;

import static dev.graft.boot.autoconfigure.StarterFixtures.answering;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graft.host.registry.PluginRegistry;
import dev.graft.host.registry.PluginState;
import dev.graft.host.trust.PemKeys;
import dev.graft.host.trust.Signer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * graft.trust.keys, graft.extension-point-policies.<ep>.trusted-keys / require-signature and the plugin's
 * own: configured plugins and the plugin folder meet the same trust policy.
 */
class TrustSettingsTest extends StarterTestSupport {

    static final KeyPair RELEASE = Signer.generateKeyPair();
    static final KeyPair OPS = Signer.generateKeyPair();
    static final KeyPair STRANGER = Signer.generateKeyPair();
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    Path releasePub;
    Path opsPub;

    @BeforeEach
    void keys() throws IOException {
        releasePub = Files.writeString(dir.resolve("release.pub"), PemKeys.writePublicKey(RELEASE.getPublic()));
        opsPub = Files.writeString(dir.resolve("ops.pub"), PemKeys.writePublicKey(OPS.getPublic()));
    }

    Path module(String name, byte[] wasm, KeyPair signer) throws IOException {
        Path file = Files.write(dir.resolve(name), wasm);
        if (signer != null) {
            Files.write(dir.resolve(name + ".sig"), Signer.signDetached(wasm, signer.getPrivate()));
        }
        return file;
    }

    ApplicationContextRunner trusting(String... more) {
        return runner().withPropertyValues("graft.trust.keys.release=" + file(releasePub), "graft.trust.keys.ops=" + file(opsPub))
                .withPropertyValues(more);
    }

    static String plugin(String id, Path module) {
        return "graft.plugins." + id + ".location=" + file(module);
    }

    static String claims(String id) {
        return "graft.plugins." + id + ".extension-points=" + PRICING_RULE;
    }

    @Test
    void aSignedPluginLoadsAndAnUnsignedOneIsRefusedWhenTheExtensionPointRequiresASignature() throws IOException {
        Path signed = module("signed.wasm", answering("signed"), RELEASE);
        Path unsigned = module("unsigned.wasm", answering("unsigned"), null);
        trusting("graft.extension-point-policies.pricing-rule.require-signature=true",
                plugin("signed", signed), claims("signed"), plugin("unsigned", unsigned), claims("unsigned"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PluginRegistry registry = context.getBean(PluginRegistry.class);
                    assertThat(registry.plugin("signed").orElseThrow().signedBy()).isEqualTo(Optional.of("release"));
                    assertThat(registry.descriptor("unsigned").orElseThrow().state()).isEqualTo(PluginState.FAILED);
                    assertThat(registry.descriptor("unsigned").orElseThrow().lastError())
                            .contains("sha256:").contains("extension point pricing-rule").contains("not signed")
                            .contains("keys tried: release, ops");
                });
    }

    @Test
    void aRequiredPluginThatIsNotSignedByATrustedKeyFailsStartup() throws IOException {
        Path strange = module("strange.wasm", answering("strange"), STRANGER);
        trusting(plugin("strange", strange), "graft.plugins.strange.required=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains("does not verify with any trusted key")
                    .contains("keys tried: release, ops");
        });
    }

    @Test
    void extensionPointKeysNarrowAndAPluginCanNarrowFurtherButNotWiden() throws IOException {
        Path byOps = module("by-ops.wasm", answering("ops"), OPS);
        trusting("graft.extension-point-policies.pricing-rule.trusted-keys=release", plugin("byops", byOps), claims("byops"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(PluginRegistry.class).descriptor("byops").orElseThrow().lastError())
                            .contains("does not verify").contains("keys tried: release");
                });
        trusting("graft.extension-point-policies.pricing-rule.trusted-keys=release", plugin("byops", byOps), claims("byops"),
                "graft.plugins.byops.trusted-keys=ops").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains("graft.plugins.byops.trusted-keys")
                            .contains("not trusted by graft.extension-point-policies.pricing-rule.trusted-keys");
                });
        // Without an extension point policy, every key under graft.trust.keys is trusted; the plugin narrows.
        trusting(plugin("byops", byOps), "graft.plugins.byops.trusted-keys=release").run(context ->
                assertThat(context.getBean(PluginRegistry.class).descriptor("byops").orElseThrow().lastError())
                        .contains("keys tried: release"));
        trusting(plugin("byops", byOps)).run(context ->
                assertThat(context.getBean(PluginRegistry.class).plugin("byops").orElseThrow().signedBy()).contains("ops"));
    }

    @Test
    void aPluginCannotLiftARequirementOfItsExtensionPoint() throws IOException {
        Path unsigned = module("unsigned.wasm", answering("unsigned"), null);
        trusting("graft.extension-point-policies.pricing-rule.require-signature=true", plugin("unsigned", unsigned),
                claims("unsigned"), "graft.plugins.unsigned.require-signature=false").run(context ->
                assertThat(context.getBean(PluginRegistry.class).descriptor("unsigned").orElseThrow().state())
                        .isEqualTo(PluginState.FAILED));
        trusting("graft.trust.require-signature=true", plugin("unsigned", unsigned)).run(context ->
                assertThat(context.getBean(PluginRegistry.class).descriptor("unsigned").orElseThrow().lastError())
                        .contains("not signed"));
    }

    @Test
    void unknownKeyNamesAndUnreadableKeysFailStartupNamingTheProperty() throws IOException {
        Path signed = module("signed.wasm", answering("signed"), RELEASE);
        trusting("graft.extension-point-policies.pricing-rule.trusted-keys=release,nobody", plugin("signed", signed),
                claims("signed")).run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure()))
                            .contains("graft.extension-point-policies.pricing-rule.trusted-keys")
                            .contains("unknown key 'nobody'").contains("release, ops");
                });
        trusting(plugin("signed", signed), "graft.plugins.signed.trusted-keys=nobody").run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains("graft.plugins.signed.trusted-keys")
                    .contains("unknown key 'nobody'");
        });
        runner().withPropertyValues("graft.trust.keys.gone=file:" + dir.resolve("missing.pub"), plugin("signed", signed))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains("graft.trust.keys.gone").contains("cannot read the key");
                });
        runner().withPropertyValues("graft.trust.require-signature=true", plugin("signed", signed)).run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains("graft.trust.require-signature").contains("no key is trusted");
        });
    }

    @Test
    void classpathKeysAndClasspathModulesWithTheirSignatures() throws IOException {
        Path root = dir.resolve("cp");
        Files.createDirectories(root.resolve("keys"));
        Files.copy(releasePub, root.resolve("keys/release.pub"));
        byte[] wasm = answering("cp");
        Files.write(root.resolve("keys/rule.wasm"), wasm);
        Files.write(root.resolve("keys/rule.wasm.sig"), Signer.signDetached(wasm, RELEASE.getPrivate()));
        java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {root.toUri().toURL()},
                getClass().getClassLoader());
        runner().withClassLoader(loader).withPropertyValues("graft.trust.keys.release=classpath:keys/release.pub",
                "graft.trust.require-signature=true", "graft.plugins.rule.location=classpath:keys/rule.wasm").run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(PluginRegistry.class).plugin("rule").orElseThrow().signedBy()).contains("release");
                });
    }

    @Test
    void thePluginFolderRefusesUnsignedAndTamperedModulesAndLoadsOnceTheSignatureArrives() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("plugins"));
        byte[] v1 = answering("v1");
        put(folder, "alpha.wasm", v1);
        put(folder, "alpha.wasm.sig", Signer.signDetached(v1, RELEASE.getPrivate()));
        put(folder, "alpha.properties", ("extension-points=" + PRICING_RULE + "\n").getBytes());
        put(folder, "unsigned.wasm", answering("unsigned"));
        trusting("graft.plugin-dir=" + folder.toAbsolutePath(), "graft.plugin-dir-poll-interval=40ms",
                "graft.extension-points=" + PRICING_RULE, "graft.extension-point-policies.pricing-rule.require-signature=true",
                "graft.trust.require-signature=true").run(context -> {
                    assertThat(context).hasNotFailed();
                    PluginRegistry registry = context.getBean(PluginRegistry.class);
                    assertThat(registry.plugin("alpha").orElseThrow().signedBy()).contains("release");
                    assertThat(registry.descriptor("unsigned").orElseThrow().state()).isEqualTo(PluginState.FAILED);
                    String v1Digest = registry.descriptor("alpha").orElseThrow().sha256();

                    // A tampered module dropped over the signed one: refused, v1 keeps serving.
                    byte[] tampered = answering("evil");
                    put(folder, "alpha.wasm", tampered);
                    await().atMost(WAIT).untilAsserted(() -> assertThat(registry.descriptor("alpha").orElseThrow().lastError())
                            .contains("sha256:" + dev.graft.host.source.PluginSource.sha256Hex(tampered)).contains("does not verify"));
                    assertThat(registry.descriptor("alpha").orElseThrow().sha256()).isEqualTo(v1Digest);
                    assertThat(registry.extensions(StarterFixtures.PricingRule.class).stream().map(r -> r.apply("x")).toList())
                            .containsExactly("v1");

                    // Its signature arrives after the module: that change loads it.
                    put(folder, "unsigned.wasm.sig", Signer.signDetached(answering("unsigned"), OPS.getPrivate()));
                    await().atMost(WAIT).untilAsserted(() ->
                            assertThat(registry.plugin("unsigned").map(p -> p.signedBy().orElse("-"))).contains("ops"));

                    // A sidecar cannot lift the requirement.
                    byte[] v2 = answering("v2");
                    put(folder, "alpha.properties", ("extension-points=" + PRICING_RULE + "\nrequire-signature=false\n").getBytes());
                    Files.delete(folder.resolve("alpha.wasm.sig"));
                    put(folder, "alpha.wasm", v2);
                    await().atMost(WAIT).untilAsserted(() -> assertThat(registry.descriptor("alpha").orElseThrow().lastError())
                            .contains("sha256:" + dev.graft.host.source.PluginSource.sha256Hex(v2)).contains("not signed"));
                    assertThat(registry.descriptor("alpha").orElseThrow().sha256()).isEqualTo(v1Digest);
                });
    }

    @Test
    void bytesThatArriveWithTheirSignatureMeetTheConfiguredPluginsPolicy() throws IOException {
        byte[] wasm = answering("uploaded");
        trusting("graft.extension-point-policies.pricing-rule.require-signature=true",
                "graft.extension-point-policies.pricing-rule.trusted-keys=release",
                plugin("rule", module("rule.wasm", answering("configured"), RELEASE)), claims("rule")).run(context -> {
                    assertThat(context).hasNotFailed();
                    GraftProperties properties = context.getBean(GraftProperties.class);
                    PluginRegistry registry = context.getBean(PluginRegistry.class);
                    dev.graft.boot.plugins.PluginPlanner planner = new dev.graft.boot.plugins.PluginPlanner(properties,
                            java.util.List.of(), getClass().getClassLoader());
                    GraftProperties.Plugin settings = properties.getPlugins().get("rule");
                    assertThat(planner.trust("graft.plugins.rule", settings).trustedKeys()).containsOnlyKeys("release");

                    dev.graft.host.registry.PluginRegistration signed = planner.plan("graft.plugins.rule", settings,
                            dev.graft.host.source.PluginSource.ofBytes("rule", wasm)
                                    .withSignature(Signer.signDetached(wasm, RELEASE.getPrivate())));
                    assertThat(registry.reload(signed).signedBy()).contains("release");

                    for (byte[] signature : new byte[][] {null, Signer.signDetached(wasm, OPS.getPrivate())}) {
                        dev.graft.host.source.PluginSource bytes = dev.graft.host.source.PluginSource.ofBytes("rule", wasm);
                        dev.graft.host.registry.PluginRegistration refused = planner.plan("graft.plugins.rule", settings,
                                signature == null ? bytes : bytes.withSignature(signature));
                        org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.reload(refused))
                                .isInstanceOf(dev.graft.api.PluginLoadException.class)
                                .hasMessageContaining("sha256:" + dev.graft.host.source.PluginSource.sha256Hex(wasm))
                                .hasMessageContaining("keys tried: release");
                    }
                    assertThat(registry.plugin("rule").orElseThrow().signedBy()).contains("release");
                });
    }

    static void put(Path folder, String name, byte[] content) throws IOException {
        Path staging = Files.write(folder.resolve("." + name + ".tmp"), content);
        Files.move(staging, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
