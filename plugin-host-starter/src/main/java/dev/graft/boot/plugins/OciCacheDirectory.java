package dev.graft.boot.plugins;

import dev.graft.boot.autoconfigure.GraftProperties;
import java.nio.file.Path;

/** Where modules pulled from OCI registries are cached: {@code graft.oci-cache-dir}, else the command line's default. */
final class OciCacheDirectory {

    private OciCacheDirectory() {
    }

    /** {@code graft.oci-cache-dir}, else {@code $GRAFT_OCI_CACHE}, else {@code $XDG_CACHE_HOME/graft/oci}, else {@code ~/.cache/graft/oci}. */
    static Path of(GraftProperties properties) {
        if (properties != null && properties.getOciCacheDir() != null) {
            return properties.getOciCacheDir().toPath();
        }
        String explicit = System.getenv("GRAFT_OCI_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("graft").resolve("oci");
    }
}
