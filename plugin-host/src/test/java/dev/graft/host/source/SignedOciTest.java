package dev.graft.host.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.PluginLoadException;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.trust.PemKeys;
import dev.graft.host.trust.Signer;
import dev.graft.host.trust.SimpleSigningPayload;
import dev.graft.host.trust.TrustPolicy;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed round trips through a real registry on loopback: the cosign signature tag is written by push,
 * fetched with the module and verified before a byte of the module is parsed.
 */
class SignedOciTest {

    static final Path HELLO = Path.of("../examples/hello-as/hello.wasm");
    static final KeyPair RELEASE = Signer.generateKeyPair();
    static final KeyPair STRANGER = Signer.generateKeyPair();
    static final ObjectMapper JSON = new ObjectMapper();

    @ExtensionPoint(id = "greeter")
    interface Greeter {
        @Export("greet")
        String greet(String name);
    }

    @TempDir
    Path dir;

    LoopbackRegistry registry;
    final GraftEngine engine = GraftEngine.create();

    @BeforeEach
    void start() throws Exception {
        registry = LoopbackRegistry.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    static TrustPolicy trust(boolean required) {
        return TrustPolicy.builder().trustKey("release", RELEASE.getPublic()).requireSignature(required).build();
    }

    Plugin load(String reference, TrustPolicy trust) {
        return engine.load(PluginSpec.builder(PluginSource.ofOci("hello", reference, dir.resolve("cache")))
                .extensionPoint(Greeter.class).trust(trust).build());
    }

    String ref(String repoAndTag) {
        return "oci://" + registry.host() + "/" + repoAndTag;
    }

    @Test
    void signedPushIsPulledVerifiedAndLoadedAlsoOfflineFromTheCache() throws Exception {
        byte[] module = Files.readAllBytes(HELLO);
        OciRegistry oci = new OciRegistry(dir.resolve("push-cache"));
        OciReference tag = OciReference.parse(ref("graft/hello:1.0"));
        String digest = oci.push(module, tag);
        String signatureRef = oci.pushSignature(tag, digest, RELEASE.getPrivate());
        assertEquals(ref("graft/hello:" + OciRegistry.signatureTag(digest)), signatureRef);

        // The signature tag is cosign's layout: one simple-signing layer, the signature in its annotation.
        JsonNode sigManifest = JSON.readTree(registry.getManifest("graft/hello", OciRegistry.signatureTag(digest)));
        JsonNode layer = sigManifest.path("layers").get(0);
        assertEquals(SimpleSigningPayload.MEDIA_TYPE, layer.path("mediaType").asText());
        assertTrue(layer.path("annotations").path(SimpleSigningPayload.SIGNATURE_ANNOTATION).asText().startsWith("ME"));

        Plugin plugin = load(ref("graft/hello:1.0"), trust(true));
        assertEquals(Optional.of("release"), plugin.signedBy());
        assertEquals("Hello, OCI!", plugin.call("greet", "OCI".getBytes(StandardCharsets.UTF_8)).outputString());
        assertEquals(Optional.of("release"), load(ref("graft/hello@" + digest), trust(true)).signedBy());

        registry.close();
        registry = null;
        assertEquals(Optional.of("release"), load("oci://127.0.0.1:" + tag.registry().split(":")[1] + "/graft/hello:1.0",
                trust(true)).signedBy());
    }

    @Test
    void aTamperedModuleUnderTheSignedTagIsRefused() throws Exception {
        byte[] module = Files.readAllBytes(HELLO);
        OciRegistry oci = new OciRegistry(dir.resolve("push-cache"));
        OciReference tag = OciReference.parse(ref("graft/hello:1.0"));
        String digest = oci.push(module, tag);
        oci.pushSignature(tag, digest, RELEASE.getPrivate());

        byte[] tampered = module.clone();
        tampered[tampered.length - 1] ^= 0x01;
        String tamperedDigest = oci.push(tampered, tag);
        // The attacker copies the genuine signature to the tampered manifest's signature tag.
        registry.putManifest("graft/hello", OciRegistry.signatureTag(tamperedDigest),
                registry.getManifest("graft/hello", OciRegistry.signatureTag(digest)));

        PluginLoadException e = assertThrows(PluginLoadException.class, () -> load(ref("graft/hello:1.0"), trust(true)));
        assertTrue(e.getMessage().contains("sha256:" + PluginSource.sha256Hex(tampered)), e.getMessage());
        assertTrue(e.getMessage().contains("signs manifest " + digest), e.getMessage());
        assertTrue(e.getMessage().contains("extension point greeter"), e.getMessage());
        assertTrue(e.getMessage().contains("keys tried: release"), e.getMessage());
    }

    @Test
    void aMissingSignatureIsRefusedWhenRequired() throws Exception {
        byte[] module = Files.readAllBytes(HELLO);
        new OciRegistry(dir.resolve("push-cache")).push(module, OciReference.parse(ref("graft/hello:1.0")));
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> load(ref("graft/hello:1.0"), trust(true)));
        assertTrue(e.getMessage().contains("sha256:" + PluginSource.sha256Hex(module)), e.getMessage());
        assertTrue(e.getMessage().contains("not signed (no signature found: the tag sha256-<manifest digest>.sig of oci://"
                + registry.host() + "/graft/hello)"), e.getMessage());
        assertTrue(e.getMessage().contains("keys tried: release"), e.getMessage());
        assertEquals(Optional.empty(), load(ref("graft/hello:1.0"), trust(false)).signedBy());
    }

    @Test
    void aSignatureByAnUntrustedKeyIsRefused() throws Exception {
        byte[] module = Files.readAllBytes(HELLO);
        OciRegistry oci = new OciRegistry(dir.resolve("push-cache"));
        OciReference tag = OciReference.parse(ref("graft/hello:1.0"));
        oci.pushSignature(tag, oci.push(module, tag), STRANGER.getPrivate());
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> load(ref("graft/hello:1.0"), trust(false)));
        assertTrue(e.getMessage().contains("does not verify with any trusted key"), e.getMessage());
        assertTrue(e.getMessage().contains("sha256:" + PluginSource.sha256Hex(module)), e.getMessage());
        assertTrue(e.getMessage().contains("keys tried: release"), e.getMessage());
        // A second signature by a trusted key is enough: signatures accumulate under the tag.
        oci.pushSignature(tag, "sha256:" + PluginSource.sha256Hex(registry.getManifest("graft/hello", "1.0")),
                RELEASE.getPrivate());
        assertEquals(Optional.of("release"), load(ref("graft/hello:1.0"), trust(true)).signedBy());
    }

    @Test
    void aSignatureWrittenInCosignsFormatOutsideGraftVerifies() throws Exception {
        byte[] module = resource("module.wasm");
        byte[] manifest = resource("manifest.json");
        byte[] payload = resource("payload.json");
        String repository = "graft/vector";
        registry.uploadBlob(repository, module);
        registry.uploadBlob(repository, "{}".getBytes(StandardCharsets.UTF_8));
        registry.uploadBlob(repository, payload);
        registry.putManifest(repository, "1.0", manifest);
        String manifestDigest = "sha256:" + PluginSource.sha256Hex(manifest);
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        String signatureManifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},\
                "layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"sha256:%s","size":%d,\
                "annotations":{"dev.cosignproject.cosign/signature":"%s"}}]}"""
                .formatted(PluginSource.sha256Hex(config), config.length, PluginSource.sha256Hex(payload), payload.length,
                        new String(resource("payload.sig"), StandardCharsets.US_ASCII).strip());
        registry.putManifest(repository, OciRegistry.signatureTag(manifestDigest), signatureManifest.getBytes(StandardCharsets.UTF_8));

        OciRegistry.Pulled pulled = new OciRegistry(dir.resolve("cache")).pull(OciReference.parse(ref(repository + ":1.0")), true);
        assertEquals(manifestDigest, pulled.manifestDigest());
        assertNotNull(pulled.signature());
        TrustPolicy vectorKey = TrustPolicy.builder()
                .trustKey("vector", PemKeys.readPublicKey(new String(resource("cosign.pub"), StandardCharsets.US_ASCII), "cosign.pub"))
                .requireSignature(true).build();
        assertEquals(Optional.of("vector"), vectorKey.check("vector", pulled.module(), pulled.signature(), java.util.List.of()));
        assertNull(new OciRegistry(dir.resolve("cache")).pull(OciReference.parse(ref(repository + ":1.0")), false).signature());
    }

    static byte[] resource(String name) throws Exception {
        try (InputStream in = SignedOciTest.class.getResourceAsStream("/trust/cosign-vector/" + name)) {
            return in.readAllBytes();
        }
    }
}
