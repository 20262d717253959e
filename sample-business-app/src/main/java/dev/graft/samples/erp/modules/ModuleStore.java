package dev.graft.samples.erp.modules;

import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Every module version the application ever served, content-addressed: {@code <erp.data-dir>/modules/sha256/<hex>.wasm},
 * with the detached signature it was verified with beside it as {@code <hex>.wasm.sig} when there was one.
 * Written once (a digest names its bytes forever), whole under a temporary name and then moved, so a reader
 * never sees half a module; never deleted by the application.
 *
 * <p>Reading verifies: bytes whose sha256 is not the name they are stored under are reported as
 * {@link Lookup.Status#DIGEST_MISMATCH} and never handed out as that version.
 */
@Component
public class ModuleStore {

    /** What a lookup found. */
    public record Lookup(Status status, String sha256, byte[] bytes, Optional<byte[]> signature, String actualSha256,
            Path file) {

        public enum Status {
            /** The bytes are there and their sha256 is the one asked for. */
            FOUND,
            /** No module is stored under that digest. */
            MISSING,
            /** A file is stored under that digest, but its bytes have another sha256: tampered or damaged. */
            DIGEST_MISMATCH
        }
    }

    private final Path folder;

    public ModuleStore(@Value("${erp.data-dir:./data}") Path dataDir) {
        this.folder = dataDir.resolve("modules").resolve("sha256");
    }

    /** The folder modules are stored in. */
    public Path folder() {
        return folder;
    }

    /** Where the module with this digest is (or would be) stored. */
    public Path file(String sha256) {
        return folder.resolve(hex(sha256) + ".wasm");
    }

    public boolean contains(String sha256) {
        return Files.isRegularFile(file(sha256));
    }

    /**
     * Keeps a module (and its detached signature, when given and none is kept yet) under its own sha256.
     *
     * @return the digest it is kept under
     */
    public String keep(byte[] module, byte[] detachedSignature) {
        String sha256 = PluginSource.sha256Hex(module);
        Path file = file(sha256);
        try {
            Files.createDirectories(folder);
            if (!Files.isRegularFile(file)) {
                write(file, module);
            }
            Path signature = signatureFile(sha256);
            if (detachedSignature != null && !Files.isRegularFile(signature)) {
                write(signature, detachedSignature);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not keep module sha256 " + sha256 + " in " + folder, e);
        }
        return sha256;
    }

    /** The module stored under this digest, verified against it, with its signature when one was kept. */
    public Lookup read(String sha256) {
        String hex = hex(sha256);
        Path file = file(hex);
        if (!Files.isRegularFile(file)) {
            return new Lookup(Lookup.Status.MISSING, hex, null, Optional.empty(), null, file);
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            String actual = PluginSource.sha256Hex(bytes);
            if (!actual.equals(hex)) {
                return new Lookup(Lookup.Status.DIGEST_MISMATCH, hex, null, Optional.empty(), actual, file);
            }
            Path signature = signatureFile(hex);
            Optional<byte[]> detached = Files.isRegularFile(signature) ? Optional.of(Files.readAllBytes(signature))
                    : Optional.empty();
            return new Lookup(Lookup.Status.FOUND, hex, bytes, detached, actual, file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read module sha256 " + hex + " from " + file, e);
        }
    }

    private Path signatureFile(String sha256) {
        return folder.resolve(hex(sha256) + ".wasm" + PluginSource.SIGNATURE_SUFFIX);
    }

    /** Only 64 hex digits name a file here: a digest from the database never becomes a path elsewhere. */
    private static String hex(String sha256) {
        String hex = sha256 == null ? "" : sha256.trim().toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a sha256 digest: '" + sha256 + "'");
        }
        return hex;
    }

    /** Whole under a temporary name, then moved into place. */
    private void write(Path target, byte[] bytes) throws IOException {
        Path temp = Files.createTempFile(folder, target.getFileName().toString(), ".part");
        try {
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
