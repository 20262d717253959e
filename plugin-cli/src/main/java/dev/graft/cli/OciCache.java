package dev.graft.cli;

import java.nio.file.Path;

/** Where the command line keeps modules pulled from OCI registries. */
final class OciCache {

    private OciCache() {
    }

    /** {@code $GRAFT_OCI_CACHE}, else {@code $XDG_CACHE_HOME/graft/oci}, else {@code ~/.cache/graft/oci}. */
    static Path directory() {
        String explicit = System.getenv("GRAFT_OCI_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("graft").resolve("oci");
    }
}
