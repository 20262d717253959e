package dev.graft.boot.plugins;

import dev.graft.boot.autoconfigure.GraftProperties;
import dev.graft.host.source.OciRegistry;
import java.nio.file.Path;

/** Where modules pulled from OCI registries are cached: {@code graft.oci-cache-dir}, else the engine's default. */
final class OciCacheDirectory {

    private OciCacheDirectory() {
    }

    /** {@code graft.oci-cache-dir}, else {@link OciRegistry#defaultCacheDirectory()}. */
    static Path of(GraftProperties properties) {
        if (properties != null && properties.getOciCacheDir() != null) {
            return properties.getOciCacheDir().toPath();
        }
        return OciRegistry.defaultCacheDirectory();
    }
}
