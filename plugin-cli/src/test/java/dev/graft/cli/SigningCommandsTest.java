package dev.graft.cli;

import static dev.graft.cli.GraftCommandTest.graft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.cli.GraftCommandTest.Run;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft keygen | sign | verify} and {@code call --trusted-key}, in-process. */
class SigningCommandsTest {

    static final Path HELLO = Path.of("../examples/hello-as/hello.wasm");
    static final Path VECTOR = Path.of("../plugin-host/src/test/resources/trust/cosign-vector");

    @TempDir
    Path dir;

    Path copyOfHello() throws Exception {
        Path module = dir.resolve("hello.wasm");
        Files.copy(HELLO, module);
        return module;
    }

    @Test
    void keygenWritesAPemPairWithAPrivateFileOnlyTheOwnerReadsAndNeverOverwrites() throws Exception {
        Path keys = dir.resolve("keys");
        Run run = graft("keygen", keys.toString());
        assertEquals(0, run.code(), run.stderr());
        assertTrue(Files.readString(keys.resolve("graft.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(Files.readString(keys.resolve("graft.pub")).startsWith("-----BEGIN PUBLIC KEY-----"));
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("graft.key"))));
        }
        String before = Files.readString(keys.resolve("graft.key"));
        Run again = graft("keygen", keys.toString());
        assertEquals(1, again.code());
        assertTrue(again.stderr().contains("already exists"), again.stderr());
        assertEquals(before, Files.readString(keys.resolve("graft.key")));
    }

    @Test
    void signThenVerifyAndATamperedByteOrAnotherKeyExitsTwo() throws Exception {
        Path module = copyOfHello();
        graft("keygen", dir.toString(), "--name", "release");
        graft("keygen", dir.toString(), "--name", "other");
        Run sign = graft("sign", module.toString(), "--key", dir.resolve("release.key").toString());
        assertEquals(0, sign.code(), sign.stderr());
        assertTrue(Files.exists(dir.resolve("hello.wasm.sig")));

        Run verified = graft("verify", module.toString(), "--key", dir.resolve("release.pub").toString());
        assertEquals(0, verified.code(), verified.stderr());
        assertEquals("verified", verified.out().strip());
        assertTrue(verified.stderr().contains("signed by release"), verified.stderr());

        Run otherKey = graft("verify", module.toString(), "--key", dir.resolve("other.pub").toString());
        assertEquals(2, otherKey.code());
        assertTrue(otherKey.stderr().contains("does not verify") && otherKey.stderr().contains("keys tried: other"),
                otherKey.stderr());

        byte[] bytes = Files.readAllBytes(module);
        bytes[100] ^= 0x01;
        Files.write(module, bytes);
        Run tampered = graft("verify", module.toString(), "--key", dir.resolve("release.pub").toString());
        assertEquals(2, tampered.code());
        assertTrue(tampered.stderr().contains("does not verify"), tampered.stderr());

        Files.delete(dir.resolve("hello.wasm.sig"));
        Run unsigned = graft("verify", module.toString(), "--key", dir.resolve("release.pub").toString());
        assertEquals(2, unsigned.code());
        assertTrue(unsigned.stderr().contains("not signed"), unsigned.stderr());
    }

    @Test
    void aCosignSignBlobSignatureVerifiesWithItsPublicKey() {
        Run run = graft("verify", VECTOR.resolve("module.wasm").toString(), "--key", VECTOR.resolve("cosign.pub").toString());
        assertEquals(0, run.code(), run.stderr());
        Run explicit = graft("verify", HELLO.toString(), "--key", VECTOR.resolve("cosign.pub").toString(),
                "--signature", VECTOR.resolve("module.wasm.sig").toString());
        assertEquals(2, explicit.code(), "the vector's signature is not over hello.wasm");
    }

    @Test
    void callWithATrustedKeyLoadsSignedModulesAndRefusesUnsignedOnesWhenRequired() throws Exception {
        Path module = copyOfHello();
        graft("keygen", dir.toString());
        String pub = dir.resolve("graft.pub").toString();
        Run unsigned = graft("call", module.toString(), "greet", "--input", "x", "--trusted-key", pub, "--require-signature");
        assertEquals(2, unsigned.code());
        assertTrue(unsigned.stderr().contains("not signed") && unsigned.stderr().contains("keys tried: graft"), unsigned.stderr());
        Run optional = graft("call", module.toString(), "greet", "--input", "x", "--trusted-key", pub);
        assertEquals(0, optional.code(), optional.stderr());

        graft("sign", module.toString(), "--key", dir.resolve("graft.key").toString());
        Run signed = graft("call", module.toString(), "greet", "--input", "Zoë", "--trusted-key", pub, "--require-signature");
        assertEquals(0, signed.code(), signed.stderr());
        assertEquals("Hello, Zoë!", signed.out());

        Run noKey = graft("call", module.toString(), "greet", "--require-signature");
        assertEquals(64, noKey.code());
    }

    @Test
    void aCosignEncryptedPrivateKeyIsAUsageErrorWithAHint() throws Exception {
        Path cosignKey = dir.resolve("cosign.key");
        Files.writeString(cosignKey, "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nabc\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n");
        Run run = graft("sign", copyOfHello().toString(), "--key", cosignKey.toString());
        assertEquals(64, run.code());
        assertTrue(run.stderr().contains("graft keygen"), run.stderr());
    }
}
