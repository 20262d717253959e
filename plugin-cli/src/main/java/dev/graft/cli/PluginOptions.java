package dev.graft.cli;

import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.CallStats;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.OciReference;
import dev.graft.host.source.OciRegistry;
import dev.graft.host.source.PluginSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The options {@code graft call} and {@code graft run} share: input, limits, grants, and how to load. */
final class PluginOptions {

    static final class Input {
        @Option(names = "--input", paramLabel = "TEXT", description = "Input text (UTF-8).")
        String text;

        @Option(names = "--input-file", paramLabel = "FILE", description = "Input bytes from a file.")
        Path file;
    }

    @ArgGroup(exclusive = true)
    Input input;

    @Option(names = "--config", paramLabel = "KEY=VALUE", description = "Plugin configuration (Extism config_get); repeatable.")
    Map<String, String> config = new LinkedHashMap<>();

    @Option(names = "--max-memory", paramLabel = "SIZE", description = "Memory cap: linear memories, table entries, ABI buffers and vars (default: ${DEFAULT-VALUE}).", defaultValue = "16MiB")
    String maxMemory;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Wall-clock limit per call (default: ${DEFAULT-VALUE}).", defaultValue = "1s")
    String timeout;

    @Option(names = "--max-input", paramLabel = "SIZE", description = "Input cap (default: ${DEFAULT-VALUE}).", defaultValue = "1MiB")
    String maxInput;

    @Option(names = "--max-output", paramLabel = "SIZE", description = "Output cap (default: ${DEFAULT-VALUE}).", defaultValue = "1MiB")
    String maxOutput;

    @Option(names = "--max-log", paramLabel = "SIZE", defaultValue = "64KiB",
            description = "Log lines one call may write; the rest are dropped and counted in one notice (default: ${DEFAULT-VALUE}).")
    String maxLog;

    @Option(names = "--fuel", paramLabel = "N", defaultValue = "10000000",
            description = "Fuel (instruction budget) per call; 0 runs unmetered (default: ${DEFAULT-VALUE}).")
    long fuel;

    @Option(names = "--wasi", description = "Link WASI preview 1 (args, env and files stay empty unless granted).")
    boolean wasi;

    @Option(names = "--allow-env", paramLabel = "NAME", description = "Pass this environment variable of the shell to the plugin; repeatable.")
    List<String> allowEnv = new ArrayList<>();

    @Option(names = "--allow-clock", description = "Grant the WASI clock.")
    boolean allowClock;

    @Option(names = "--allow-random", description = "Grant WASI random.")
    boolean allowRandom;

    @Option(names = "--allow-stdout", description = "Grant WASI stdout and stderr (sent to the plugin's log).")
    boolean allowStdout;

    @Option(names = "--allow-file", paramLabel = "GUEST=HOST", description = "Copy a host file or folder into the plugin's in-memory file system; repeatable.")
    Map<String, Path> allowFiles = new LinkedHashMap<>();

    @Option(names = "--sha256", paramLabel = "HEX", description = "Refuse the module unless its bytes have this sha256.")
    String sha256;

    @Option(names = "--trusted-key", paramLabel = "PUBLIC.pem",
            description = "Trust this PEM public key: a signed module (MODULE.sig, or cosign's tag for oci://) must verify with one; repeatable.")
    List<Path> trustedKeys = new ArrayList<>();

    @Option(names = "--require-signature", description = "Refuse a module not signed by a --trusted-key.")
    boolean requireSignature;

    @Option(names = "--interpreted", description = "Run in Chicory's interpreter instead of compiling.")
    boolean interpreted;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Use (and fill) a persistent compile cache, as `graft compile` does.")
    Path cacheDir;

    @Option(names = "--stats", description = "Print elapsed time, memory high-water mark, fuel and the module's sha256 (to pin) to stderr.")
    boolean stats;

    /** Loads the module under the policy these options describe. */
    Plugin load(String module) {
        return load(module, spec -> spec);
    }

    /** Loads the module under these options' policy, with more set on the spec (such as an extension point). */
    Plugin load(String module, java.util.function.UnaryOperator<PluginSpec.Builder> customize) {
        GraftEngine engine = cacheDir == null ? GraftEngine.create() : GraftEngine.withCompileCache(cacheDir);
        return engine.load(customize.apply(PluginSpec.builder(sourceOf(module, sha256)).policy(policy()).config(config)
                .trust(CliKeys.trust(trustedKeys, requireSignature))).build());
    }

    void printStats(PrintWriter err, Plugin plugin, CallStats s) {
        if (stats) {
            err.println("sha256: " + plugin.sha256() + "  (pin it: --sha256, graft.plugins.<id>.sha256, @WasmPlugin(sha256 = ...))");
            err.printf("elapsed: %.3f ms%n", s.elapsedNanos() / 1e6);
            err.printf("memory high-water: %d bytes%n", s.memoryHighWaterBytes());
            err.println("fuel: " + (s.fuelConsumed() < 0 ? "not metered" : s.fuelConsumed()));
        }
    }

    /** The source of a module argument: an oci:// reference, an http(s) URL or a file; pinned when {@code sha256} is set. */
    static PluginSource sourceOf(String module, String sha256) {
        if (module.startsWith("oci://") || module.startsWith("oci+http://")) {
            OciReference ref;
            try {
                ref = OciReference.parse(module);
            } catch (IllegalArgumentException e) {
                throw new GraftCommand.UsageException(e.getMessage());
            }
            String id = ref.repository().substring(ref.repository().lastIndexOf('/') + 1);
            PluginSource source = PluginSource.ofOci(id, module, OciRegistry.defaultCacheDirectory());
            return sha256 == null ? source : source.pinned(sha256);
        }
        String id = Path.of(URI.create("file:///").resolve(module.replace(" ", "%20")).getPath()).getFileName().toString();
        id = id.endsWith(".wasm") ? id.substring(0, id.length() - 5) : id;
        PluginSource source = module.startsWith("http://") || module.startsWith("https://")
                ? PluginSource.ofUrl(id, URI.create(module))
                : PluginSource.ofFile(id, Path.of(module));
        return sha256 == null ? source : source.pinned(sha256);
    }

    private PluginPolicy policy() {
        Capabilities.Builder caps = Capabilities.builder().wasi(wasi).clock(allowClock).random(allowRandom)
                .stdout(allowStdout).stderr(allowStdout);
        for (String name : allowEnv) {
            String value = System.getenv(name);
            if (value == null) {
                throw new GraftCommand.UsageException("--allow-env " + name + ": the variable is not set in this shell");
            }
            caps.env(name, value);
        }
        allowFiles.forEach(caps::file);
        try {
            return PluginPolicy.builder()
                    .maxMemoryBytes(Sizes.bytes(maxMemory))
                    .timeout(Sizes.duration(timeout))
                    .maxInputBytes(Sizes.bytes(maxInput))
                    .maxOutputBytes(Sizes.bytes(maxOutput))
                    .maxLogBytes(Sizes.bytes(maxLog))
                    .fuel(fuel)
                    .mode(interpreted ? ExecutionMode.INTERPRETED : ExecutionMode.COMPILED)
                    .capabilities(caps.build())
                    .build();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new GraftCommand.UsageException(e.getMessage());
        }
    }

    byte[] inputBytes() {
        if (input == null) {
            return new byte[0];
        }
        if (input.text != null) {
            return input.text.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Files.readAllBytes(input.file);
        } catch (IOException e) {
            throw new GraftCommand.UsageException("--input-file " + input.file + ": cannot read: " + e.getMessage());
        }
    }
}
