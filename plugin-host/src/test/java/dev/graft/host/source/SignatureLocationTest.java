package dev.graft.host.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginLoadException;
import dev.graft.host.trust.ModuleSignature;
import dev.graft.host.trust.SignatureVerifier;
import dev.graft.host.trust.Signer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where each source finds a module's detached signature, and when it looks. */
class SignatureLocationTest {

    static final byte[] MODULE = "\0asm\1\0\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    static final KeyPair KEY = Signer.generateKeyPair();

    @TempDir
    Path dir;

    @Test
    void aUrlsSignatureIsItsPathWithSigAppendedQueryKept() {
        assertEquals(URI.create("https://cdn.example.com/p/rules.wasm.sig"),
                PluginSource.signatureUrl(URI.create("https://cdn.example.com/p/rules.wasm")));
        assertEquals(URI.create("https://cdn.example.com/p/rules.wasm.sig?token=a.b#x"),
                PluginSource.signatureUrl(URI.create("https://cdn.example.com/p/rules.wasm?token=a.b#x")));
    }

    @Test
    void aFileSignatureIsFoundOnlyWhenAskedFor() throws Exception {
        Path module = Files.write(dir.resolve("rules.wasm"), MODULE);
        PluginSource source = PluginSource.ofFile(module);
        assertTrue(source.read(1024, true).signature().isEmpty());

        Files.write(dir.resolve("rules.wasm.sig"), Signer.signDetached(MODULE, KEY.getPrivate()));
        PluginSource.Contents contents = source.pinned(PluginSource.sha256Hex(MODULE)).read(1024, true);
        assertArrayEquals(MODULE, contents.bytes());
        ModuleSignature signature = contents.signature().orElseThrow();
        assertTrue(signature.isDetached());
        assertEquals(dir.resolve("rules.wasm.sig").toString(), signature.origin());
        assertTrue(source.read(1024, false).signature().isEmpty());
    }

    @Test
    void anUnreadableOrOversizedSignatureRefusesTheModuleOnlyWhenSignaturesAreChecked() throws Exception {
        Path module = Files.write(dir.resolve("rules.wasm"), MODULE);
        Files.write(dir.resolve("rules.wasm.sig"), new byte[PluginSource.MAX_SIGNATURE_BYTES + 1]);
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginSource.ofFile(module).read(1024, true));
        assertTrue(e.getMessage().contains("cannot read its signature") && e.getMessage().contains("not a signature"),
                e.getMessage());
        assertArrayEquals(MODULE, PluginSource.ofFile(module).read(1024));
    }

    @Test
    void anAttachedSignatureReplacesTheOneBesideAndSurvivesPinning() throws Exception {
        Path module = Files.write(dir.resolve("rules.wasm"), MODULE);
        Files.writeString(dir.resolve("rules.wasm.sig"), "beside");
        byte[] attached = Signer.signDetached(MODULE, KEY.getPrivate());
        PluginSource source = PluginSource.ofFile(module).withSignature(attached).pinned(PluginSource.sha256Hex(MODULE));
        ModuleSignature signature = source.read(1024, true).signature().orElseThrow();
        assertTrue(signature.origin().contains("supplied"), signature.origin());
        assertTrue(SignatureVerifier.verifies(MODULE, signature.detachedSignature(), KEY.getPublic()));
        assertTrue(PluginSource.ofBytes("b", MODULE).read(1024, true).signature().isEmpty());
    }
}
