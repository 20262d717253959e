package dev.graft.benchmarks;

import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the lifecycle benchmarks and {@link StartupProbe} load: the ~100 KB plugin
 * ({@code fractal-tree-cli.wasm}, 98 KB, a WASI command) from a file, under the default policy (metered,
 * compiled, fresh instances) with {@code wasi} granted. Loading it reads and hashes the file, meters,
 * parses, compiles and instantiates a trial instance. Deliberately free of Graft types in its
 * signatures and static state, so that a cold fork touches Graft and Chicory for the first time inside
 * the measured method.
 */
final class Lifecycle {

    private Lifecycle() {
    }

    /**
     * The ~100 KB module, with a custom section {@code graft-bench-variant} carrying {@code variant}
     * appended when it is positive: the same code under another digest, i.e. "another plugin" that no
     * in-memory cache has seen.
     */
    static byte[] moduleBytes(int variant) {
        byte[] base;
        try (InputStream in = Lifecycle.class.getClassLoader().getResourceAsStream(Fixtures.FRACTAL_TREE_CLI)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + Fixtures.FRACTAL_TREE_CLI);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            base = out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (variant <= 0) {
            return base;
        }
        byte[] name = "graft-bench-variant".getBytes(StandardCharsets.US_ASCII);
        byte[] payload = Integer.toString(variant).getBytes(StandardCharsets.US_ASCII);
        int size = 1 + name.length + payload.length; // name length fits one LEB128 byte
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(base);
        out.write(0); // custom section
        out.write(size);
        out.write(name.length);
        out.writeBytes(name);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** Writes {@link #moduleBytes} to a file in {@code dir} and returns it. */
    static Path moduleFile(Path dir, int variant) {
        try {
            Path file = dir.resolve("plugin-" + variant + ".wasm");
            Files.write(file, moduleBytes(variant));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads the module file on {@code engine}; the plugin is ready to call when this returns. */
    static Object load(Object engine, Path file) {
        PluginPolicy policy = PluginPolicy.builder().capabilities(Capabilities.builder().wasi(true).build()).build();
        Plugin plugin = ((GraftEngine) engine).load(PluginSpec.builder(PluginSource.ofFile(file)).policy(policy).build());
        if (!plugin.exports().contains("_start")) {
            throw new IllegalStateException("not the expected module");
        }
        return plugin;
    }

    static Object newEngine(Path cacheDir) {
        return cacheDir == null ? GraftEngine.create() : GraftEngine.withCompileCache(cacheDir);
    }

    /**
     * Fills {@code cacheDir} with the compiled classes of variants 0 to {@code variants} in a separate
     * JVM, so that the JVM measuring a cached start has never compiled or loaded Graft itself.
     */
    static void fillCacheInAnotherJvm(Path cacheDir, int variants) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                StartupProbe.class.getName(), "fill", cacheDir.toString(), Integer.toString(variants))
                .redirectErrorStream(true);
        try {
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("filling the compile cache failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
