package dev.graft.host.hostile;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The WAT fixtures in {@code src/test/resources/hostile}, compiled once per JVM with Chicory's wat2wasm. */
final class Fixtures {

    /** The unmodified AssemblyScript PDK plugin, relative to the plugin-host module folder. */
    static final Path HELLO = Path.of("../examples/hello-as/hello.wasm");

    /** Every fixture, by file name without {@code .wat}. */
    static final List<String> NAMES = List.of("healthy", "loop", "host_loop", "grow_bomb", "alloc_bomb", "big_memory",
            "traps", "big_output", "witness", "codec_bad_json", "codec_wrong_shape", "codec_good", "import_ungranted",
            "import_unknown_module", "proc_exit", "wasi_files", "wasi_env", "wasi_denied", "host_throw", "start_loop",
            "var_bomb", "http");

    private static final Map<String, byte[]> WASM = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    /** The compiled module of a fixture (a fresh copy each time, so callers may mutate it). */
    static byte[] wasm(String name) {
        return WASM.computeIfAbsent(name, n -> Wat2Wasm.parse(wat(n))).clone();
    }

    /** The WAT text of a fixture. */
    static String wat(String name) {
        String resource = "/hostile/" + name + ".wat";
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The AssemblyScript hello plugin's bytes. */
    static byte[] hello() {
        try {
            return Files.readAllBytes(HELLO);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture as a plugin source with the given plugin id. */
    static PluginSource source(String pluginId, String fixture) {
        return PluginSource.ofBytes(pluginId, wasm(fixture));
    }
}
