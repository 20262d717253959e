package dev.graft.host.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import dev.graft.api.PluginLoadException;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading under a trust policy, for each way bytes arrive without a registry (OCI: OciRegistryTest). */
class SignedLoadTest {

    static final Path HELLO = Path.of("../examples/hello-as/hello.wasm");
    static final KeyPair RELEASE = Signer.generateKeyPair();
    static final KeyPair STRANGER = Signer.generateKeyPair();

    @ExtensionPoint(id = "greeter")
    interface Greeter {
        @Export("greet")
        String greet(String name);
    }

    @TempDir
    Path dir;

    final GraftEngine engine = GraftEngine.create();

    static TrustPolicy trustRelease(boolean required) {
        return TrustPolicy.builder().trustKey("release", RELEASE.getPublic()).trustKey("ops", Signer.generateKeyPair().getPublic())
                .requireSignature(required).build();
    }

    Plugin load(PluginSource source, TrustPolicy trust) {
        return engine.load(PluginSpec.builder(source).extensionPoint(Greeter.class).trust(trust).build());
    }

    Path module(String name, byte[] bytes, KeyPair signer) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        if (signer != null) {
            Files.write(dir.resolve(name + ".sig"), Signer.signDetached(bytes, signer.getPrivate()));
        }
        return file;
    }

    static void assertNames(PluginLoadException e, byte[] module, String... more) {
        String message = e.getMessage();
        assertTrue(message.contains("sha256:" + PluginSource.sha256Hex(module)), message);
        assertTrue(message.contains("extension point greeter"), message);
        assertTrue(message.contains("keys tried: release, ops"), message);
        for (String part : more) {
            assertTrue(message.contains(part), message);
        }
    }

    @Test
    void fileSignedByATrustedKeyLoadsAndRecordsTheKey() throws Exception {
        byte[] wasm = Files.readAllBytes(HELLO);
        Plugin plugin = load(PluginSource.ofFile(module("hello.wasm", wasm, RELEASE)), trustRelease(true));
        assertEquals(Optional.of("release"), plugin.signedBy());
        assertEquals("Hello, signed!", plugin.call("greet", "signed".getBytes(StandardCharsets.UTF_8)).outputString());
    }

    @Test
    void unsignedFileIsRefusedWhenASignatureIsRequiredAndLoadsWhenNot() throws Exception {
        byte[] wasm = Files.readAllBytes(HELLO);
        Path file = module("hello.wasm", wasm, null);
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> load(PluginSource.ofFile(file), trustRelease(true)));
        assertNames(e, wasm, "plugin 'hello'", "not signed (no signature found: " + dir.resolve("hello.wasm.sig") + ")");
        assertEquals(Optional.empty(), load(PluginSource.ofFile(file), trustRelease(false)).signedBy());
    }

    @Test
    void signatureByAnUntrustedKeyIsRefusedEvenWhenSignaturesAreOptional() throws Exception {
        byte[] wasm = Files.readAllBytes(HELLO);
        Path file = module("hello.wasm", wasm, STRANGER);
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> load(PluginSource.ofFile(file), trustRelease(false)));
        assertNames(e, wasm, "hello.wasm.sig", "does not verify");
    }

    @Test
    void aTamperedByteIsRefused() throws Exception {
        byte[] wasm = Files.readAllBytes(HELLO);
        Path file = module("hello.wasm", wasm, RELEASE);
        byte[] tampered = wasm.clone();
        tampered[tampered.length - 1] ^= 0x01;
        Files.write(file, tampered);
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> load(PluginSource.ofFile(file), trustRelease(true)));
        assertNames(e, tampered, "does not verify");
    }

    @Test
    void garbageSignatureIsRefusedButIgnoredWithoutATrustPolicy() throws Exception {
        byte[] wasm = Files.readAllBytes(HELLO);
        Path file = module("hello.wasm", wasm, null);
        Files.writeString(dir.resolve("hello.wasm.sig"), "not a signature at all");
        assertThrows(PluginLoadException.class, () -> load(PluginSource.ofFile(file), trustRelease(false)));
        Plugin plugin = load(PluginSource.ofFile(file), TrustPolicy.none());
        assertEquals(Optional.empty(), plugin.signedBy());
    }

    @Test
    void bytesCarryTheirSignatureExplicitly() throws Exception {
        byte[] wasm = Files.readAllBytes(HELLO);
        byte[] signature = Signer.signDetached(wasm, RELEASE.getPrivate());
        assertEquals(Optional.of("release"), load(PluginSource.ofBytes("upload", wasm).withSignature(signature),
                trustRelease(true)).signedBy());
        // Raw DER works as well as base64 text.
        assertEquals(Optional.of("release"), load(PluginSource.ofBytes("upload", wasm)
                .withSignature(Signer.sign(wasm, RELEASE.getPrivate())), trustRelease(true)).signedBy());
        PluginLoadException unsigned = assertThrows(PluginLoadException.class,
                () -> load(PluginSource.ofBytes("upload", wasm), trustRelease(true)));
        assertNames(unsigned, wasm, "plugin 'upload'");
        PluginLoadException stranger = assertThrows(PluginLoadException.class, () -> load(PluginSource.ofBytes("upload", wasm)
                .withSignature(Signer.signDetached(wasm, STRANGER.getPrivate())), trustRelease(true)));
        assertNames(stranger, wasm, "the signature supplied with bytes");
    }

    @Test
    void classpathResourceIsSignedByTheResourceBesideIt() throws Exception {
        byte[] wasm = Files.readAllBytes(HELLO);
        Path root = dir.resolve("cp");
        Files.createDirectories(root.resolve("plugins"));
        Files.write(root.resolve("plugins/hello.wasm"), wasm);
        Files.write(root.resolve("plugins/unsigned.wasm"), wasm);
        Files.write(root.resolve("plugins/hello.wasm.sig"), Signer.signDetached(wasm, RELEASE.getPrivate()));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
            assertEquals(Optional.of("release"), load(PluginSource.ofClasspath("hello", "plugins/hello.wasm", loader),
                    trustRelease(true)).signedBy());
            PluginLoadException e = assertThrows(PluginLoadException.class,
                    () -> load(PluginSource.ofClasspath("hello", "plugins/unsigned.wasm", loader), trustRelease(true)));
            assertNames(e, wasm);
        }
    }

    @Test
    void urlIsSignedByTheUrlWithSigAppended() throws Exception {
        byte[] wasm = Files.readAllBytes(HELLO);
        byte[] signature = Signer.signDetached(wasm, RELEASE.getPrivate());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = switch (path) {
                case "/signed.wasm", "/unsigned.wasm" -> wasm;
                case "/signed.wasm.sig" -> signature;
                default -> null;
            };
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            assertEquals(Optional.of("release"), load(PluginSource.ofUrl("hello", URI.create(base + "/signed.wasm")),
                    trustRelease(true)).signedBy());
            PluginLoadException e = assertThrows(PluginLoadException.class,
                    () -> load(PluginSource.ofUrl("hello", URI.create(base + "/unsigned.wasm")), trustRelease(true)));
            assertNames(e, wasm, "not signed (no signature found: " + base + "/unsigned.wasm.sig)");
            assertEquals(Optional.empty(), load(PluginSource.ofUrl("hello", URI.create(base + "/unsigned.wasm")),
                    trustRelease(false)).signedBy());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aPolicyThatRequiresASignatureNeedsAKey() {
        assertThrows(IllegalStateException.class, () -> TrustPolicy.builder().requireSignature(true).build());
        assertEquals(TrustPolicy.none(), TrustPolicy.builder().build());
    }
}
