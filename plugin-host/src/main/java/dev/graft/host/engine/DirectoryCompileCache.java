package dev.graft.host.engine;

import com.dylibso.chicory.compiler.Cache;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Persists Chicory's compiled classes in a folder, keyed by the digest Chicory computes for a module,
 * so that a later start skips compilation (the role of WasmEdge's AOT step). Writes go to a temporary
 * file first and are moved into place, so a crash never leaves half an entry.
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

    private Path file(String key) {
        // Chicory's keys look like "sha-256:<base64>"; make them safe file names.
        return directory.resolve(key.replace(':', '_').replace('/', '_').replace('+', '-').replace("=", "") + ".classes");
    }
}
