package dev.graft.host.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginLoadException;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push and pull against a real registry on loopback: Debian's docker-registry (distribution 2.8),
 * started and stopped here. {@code .ci/run} installs it.
 */
class OciRegistryTest {

    static final Path HELLO = Path.of("../examples/hello-as/hello.wasm");

    @TempDir
    Path dir;

    LoopbackRegistry registry;
    String host;

    @BeforeEach
    void startRegistry() throws Exception {
        registry = LoopbackRegistry.start(dir);
        host = registry.host();
    }

    @AfterEach
    void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void pushedModuleIsPulledByTagAndDigestAndRunsFromTheCacheOffline() throws Exception {
        byte[] module = Files.readAllBytes(HELLO);
        Path cache = dir.resolve("cache");
        OciRegistry oci = new OciRegistry(cache);
        String digest = oci.push(module, OciReference.parse("oci://" + host + "/graft/hello:1.0"));
        assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);

        assertArrayEquals(module, new OciRegistry(dir.resolve("other-cache")).pull(OciReference.parse("oci://" + host + "/graft/hello@" + digest)));
        GraftEngine engine = GraftEngine.create();
        Plugin byTag = engine.load(PluginSpec.of(PluginSource.ofOci("hello", "oci://" + host + "/graft/hello:1.0", cache)
                .pinned(PluginSource.sha256Hex(module))));
        assertEquals("Hello, OCI!", byTag.call("greet", "OCI".getBytes(StandardCharsets.UTF_8)).outputString());

        stopRegistry();
        registry = null;
        // Offline: the tag remembers its digest, and the digest is cached.
        Plugin offline = engine.load(PluginSpec.of(PluginSource.ofOci("hello", "oci://" + host + "/graft/hello:1.0", cache)));
        assertEquals("Hello, again!", offline.call("greet", "again".getBytes(StandardCharsets.UTF_8)).outputString());
        PluginLoadException uncached = assertThrows(PluginLoadException.class, () -> engine.load(PluginSpec.of(
                PluginSource.ofOci("other", "oci://" + host + "/graft/other:1.0", cache))));
        assertTrue(uncached.getMessage().contains("not cached"), uncached.getMessage());
    }

    @Test
    void wrongDigestsAndMissingModulesAreRefused() throws Exception {
        OciRegistry oci = new OciRegistry(dir.resolve("cache"));
        oci.push(Files.readAllBytes(HELLO), OciReference.parse("oci://" + host + "/graft/hello:1.0"));
        String wrong = "sha256:" + "0".repeat(64);
        assertThrows(PluginLoadException.class, () -> GraftEngine.create().load(PluginSpec.of(
                PluginSource.ofOci("hello", "oci://" + host + "/graft/hello@" + wrong, dir.resolve("cache")))));
        assertThrows(PluginLoadException.class, () -> GraftEngine.create().load(PluginSpec.of(
                PluginSource.ofOci("hello", "oci://" + host + "/graft/nothing:1.0", dir.resolve("cache")))));
    }
}
