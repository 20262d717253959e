package dev.graft.host.engine;

import com.dylibso.chicory.compiler.Cache;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Persists Chicory's compiled classes in a folder, keyed by the digest Chicory computes for a module,
 * so that a later start skips compilation (the role of WasmEdge's AOT step), and the metered bytes of
 * each module, keyed by its sha256 and the metering pass and cost model, so that it skips metering
 * too. Writes go to a temporary file first and are moved into place, so a crash never leaves half an
 * entry. The folder must be as trusted as the application's classpath: its classes run as JVM code.
 */
final class DirectoryCompileCache implements Cache {

    private final Path directory;

    DirectoryCompileCache(Path directory) {
        this.directory = directory;
    }

    @Override
    public byte[] get(String key) throws IOException {
        try {
            return Files.readAllBytes(file(key));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void putIfAbsent(String key, byte[] data) throws IOException {
        Path target = file(key);
        if (Files.exists(target)) {
            return;
        }
        Files.createDirectories(directory);
        Path tmp = Files.createTempFile(directory, "entry", ".tmp");
        try {
            Files.write(tmp, data);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The key of a module's metered bytes. */
    static String meteredKey(String moduleSha256, String passKey) {
        String pass = PluginSource.sha256Hex(passKey.getBytes(StandardCharsets.UTF_8));
        return "metered-" + moduleSha256 + "-" + pass.substring(0, 16);
    }

    /** Like {@link #get}, but an unreadable entry is a miss: the cache only saves work. */
    byte[] read(String key) {
        try {
            return get(key);
        } catch (IOException e) {
            return null;
        }
    }

    /** Like {@link #putIfAbsent}, but a failed write is ignored: the cache only saves work. */
    void write(String key, byte[] data) {
        try {
            putIfAbsent(key, data);
        } catch (IOException e) {
            // a read-only or full folder: the next start meters again
        }
    }

    private Path file(String key) {
        // Chicory's keys look like "sha-256:<base64>"; make them safe file names.
        String name = key.replace(':', '_').replace('/', '_').replace('+', '-').replace("=", "");
        return directory.resolve(name + (key.startsWith("metered-") ? ".wasm" : ".classes"));
    }
}
