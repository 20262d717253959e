package dev.graft.samples.plugins;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import dev.graft.api.PluginCallException;
import dev.graft.api.PluginCapabilityException;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.Capabilities;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.CallResult;
import dev.graft.host.engine.CallStats;
import dev.graft.host.engine.CommandResult;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import dev.graft.samples.contracts.TreeRenderer;
import dev.graft.samples.contracts.TreeRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The fractal tree in Rust: golden SVGs, fuel per depth, errors, and the WASI command version. */
class FractalTreeTest {

    static final String SEED = "Hello WASM";
    static final int MEASURED_DEPTH = 15;
    /** sha256 of the SVG for seed "Hello WASM", trunk length 100, by depth. */
    static final Map<Integer, String> GOLDEN = Map.of(
            1, "af61fe35b1c78176667add51bbd17d79a137e4256a932c593b376b77a8ca2756",
            5, "a47cb08ccafde4a4f91c8ac2df49e135e82513d22c204b2d2677169c755c928a",
            10, "26342c4a6c6ecfc6545e24067eae725a9287ed3b9508c5969f8ad2b7510e903f");

    static Plugin tree(ExecutionMode mode) {
        // the interpreter needs about a second for depth 10 on a small machine: more than the default timeout
        return Samples.load(Samples.FRACTAL_TREE, mode, spec -> spec.extensionPoint(TreeRenderer.class)
                .policy(PluginPolicy.builder().mode(mode).timeout(java.time.Duration.ofSeconds(30)).build()));
    }

    static byte[] request(String seed, int depth) {
        return ("{\"seed\":\"" + seed + "\",\"depth\":" + depth + ",\"trunkLength\":100.0}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void goldenSvgsAreIdenticalInterpretedAndCompiled() {
        Map<ExecutionMode, Map<Integer, String>> digests = new EnumMap<>(ExecutionMode.class);
        for (ExecutionMode mode : ExecutionMode.values()) {
            TreeRenderer renderer = tree(mode).extension(TreeRenderer.class);
            Map<Integer, String> byDepth = new java.util.TreeMap<>();
            for (int depth : GOLDEN.keySet()) {
                byte[] svg = renderer.render(new TreeRequest(SEED, depth, 100));
                byDepth.put(depth, PluginSource.sha256Hex(svg));
            }
            digests.put(mode, byDepth);
        }
        System.out.println("tree digests: " + digests);
        assertEquals(digests.get(ExecutionMode.COMPILED), digests.get(ExecutionMode.INTERPRETED));
        assertEquals(new java.util.TreeMap<>(GOLDEN), digests.get(ExecutionMode.COMPILED));
    }

    @Test
    void svgHasOnePathPerLevelAndTwoToTheDepthMinusOneLines() {
        TreeRenderer renderer = tree(ExecutionMode.COMPILED).extension(TreeRenderer.class);
        for (int depth = 1; depth <= 8; depth++) {
            String svg = renderer.renderSvg(new TreeRequest("Zoë 🌳 seed", depth, 120));
            assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\""), svg);
            assertTrue(svg.endsWith("</svg>\n"), svg);
            List<String> paths = new ArrayList<>();
            Matcher m = Pattern.compile("<path stroke=\"(#[0-9a-f]{6})\" stroke-width=\"([0-9.]+)\" d=\"([^\"]*)\"/>").matcher(svg);
            while (m.find()) {
                paths.add(m.group(1) + " " + m.group(2));
                int level = paths.size() - 1;
                assertEquals(String.format("%.2f", (depth - level) * 1.5), m.group(2));
                assertEquals(1 << level, m.group(3).split("M").length - 1, "lines at level " + level);
            }
            assertEquals(depth, paths.size());
            assertTrue(paths.get(0).startsWith("#000000"), paths.toString());
            if (depth > 1) {
                assertTrue(paths.get(depth - 1).startsWith("#008000"), paths.toString());
            }
            // the trunk goes straight up from the origin
            assertTrue(svg.contains("d=\"M0.00 0.00L0.00 -120.00\""), svg);
        }
        // same seed, same bytes; another seed, another tree
        assertArrayEquals(renderer.render(new TreeRequest("a", 6, 100)), renderer.render(new TreeRequest("a", 6, 100)));
        assertTrue(!renderer.renderSvg(new TreeRequest("a", 6, 100)).equals(renderer.renderSvg(new TreeRequest("b", 6, 100))));
    }

    @Test
    void fuelRoughlyDoublesPerDepth() {
        Plugin plugin = Samples.load(Samples.FRACTAL_TREE, ExecutionMode.COMPILED, spec -> spec
                .policy(PluginPolicy.builder().fuel(200_000_000L).maxMemoryBytes(64L << 20).build()));
        Map<Integer, Long> fuel = new java.util.TreeMap<>();
        for (int depth = 1; depth <= MEASURED_DEPTH; depth++) {
            CallResult result = plugin.call("render_tree", request(SEED, depth));
            fuel.put(depth, result.stats().fuelConsumed());
        }
        System.out.println("tree fuel per depth: " + fuel);
        for (int depth = 5; depth <= MEASURED_DEPTH; depth++) {
            double ratio = (double) fuel.get(depth) / fuel.get(depth - 1);
            assertTrue(ratio >= 1.7 && ratio <= 2.3, "fuel(" + depth + ")/fuel(" + (depth - 1) + ") = " + ratio + " " + fuel);
        }
        // the typed call's figure is the same, and the default budget of 10,000,000 fits depth 11 but not 12
        TreeRenderer renderer = tree(ExecutionMode.COMPILED).extension(TreeRenderer.class);
        renderer.render(new TreeRequest(SEED, 10, 100));
        assertEquals(fuel.get(10), CallStats.lastOnThisThread().orElseThrow().fuelConsumed());
        assertTrue(fuel.get(11) < PluginPolicy.DEFAULT_FUEL && fuel.get(12) > PluginPolicy.DEFAULT_FUEL, fuel.toString());
        renderer.render(new TreeRequest(SEED, 11, 100));
        assertThrows(PluginFuelExhaustedException.class, () -> renderer.render(new TreeRequest(SEED, 12, 100)));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void badRequestsAreClearErrors(ExecutionMode mode) {
        TreeRenderer renderer = tree(mode).extension(TreeRenderer.class);
        PluginCallException e = assertThrows(PluginCallException.class, () -> renderer.render(new TreeRequest(SEED, 0, 100)));
        assertEquals("depth must be between 1 and 20, was 0", e.pluginMessage());
        e = assertThrows(PluginCallException.class, () -> renderer.render(new TreeRequest(SEED, 21, 100)));
        assertEquals("depth must be between 1 and 20, was 21", e.pluginMessage());
        e = assertThrows(PluginCallException.class, () -> renderer.render(new TreeRequest(SEED, -3, 100)));
        assertEquals("depth must be between 1 and 20, was -3", e.pluginMessage());
        e = assertThrows(PluginCallException.class, () -> renderer.render(new TreeRequest(SEED, 3, 0)));
        assertEquals("trunkLength must be greater than 0 and at most 10000", e.pluginMessage());
        Plugin plugin = tree(mode);
        e = assertThrows(PluginCallException.class, () -> plugin.call("render_tree", "{\"seed\":1,\"depth\":3}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("seed must be a string", e.pluginMessage());
        e = assertThrows(PluginCallException.class, () -> plugin.call("render_tree", "not json".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.pluginMessage().startsWith("invalid JSON input"), e.pluginMessage());
    }

    // ------------------------------------------------------------------ the WASI command version

    /** Runs fractal-tree-cli.wasm with raw Chicory and WASI: {exit code, stdout, stderr}. */
    static Object[] runCli(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("fractal-tree-cli"));
        argv.addAll(List.of(args));
        WasiOptions options = WasiOptions.builder().withStdout(out).withStderr(err).withArguments(argv).build();
        int code = 0;
        try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(options).build()) {
            Instance instance = Instance.builder(Parser.parse(Samples.path(Samples.FRACTAL_TREE_CLI)))
                    .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
                    .withStart(false)
                    .build();
            try {
                instance.export("_start").apply();
            } catch (WasiExitException e) {
                code = e.exitCode();
            }
        }
        return new Object[] {code, out.toByteArray(), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void wasiCommandPrintsTheSameSvg() throws Exception {
        TreeRenderer renderer = tree(ExecutionMode.COMPILED).extension(TreeRenderer.class);
        for (int depth : new int[] {1, 5, 10}) {
            Object[] run = runCli(SEED, Integer.toString(depth), "100");
            assertEquals(0, run[0], (String) run[2]);
            assertArrayEquals(renderer.render(new TreeRequest(SEED, depth, 100)), (byte[]) run[1], "depth " + depth);
            assertEquals(GOLDEN.get(depth), PluginSource.sha256Hex((byte[]) run[1]));
        }
        Object[] bad = runCli(SEED, "0");
        assertEquals(2, bad[0]);
        assertEquals("fractal-tree-cli: depth must be between 1 and 20, was 0\n", bad[2]);
        Object[] usage = runCli();
        assertEquals(2, usage[0]);
        assertTrue(((String) usage[2]).contains("usage: fractal-tree-cli <seed> <depth> [trunkLength]"), (String) usage[2]);
    }

    @Test
    void wasiCommandRunsThroughTheEngineOnlyWithWasiGranted() {
        PluginLoadException refused = assertThrows(PluginLoadException.class,
                () -> Samples.load(Samples.FRACTAL_TREE_CLI, ExecutionMode.COMPILED, spec -> spec));
        assertTrue(refused.getMessage().contains("wasi"), refused.getMessage());

        Plugin cli = Samples.load(Samples.FRACTAL_TREE_CLI, ExecutionMode.COMPILED, spec -> spec.policy(
                PluginPolicy.builder().capabilities(Capabilities.builder().wasi(true).build()).build()));
        CommandResult run = cli.runCommand(List.of("fractal-tree-cli", SEED, "5", "100"), Map.of(), new byte[0]);
        assertEquals(0, run.exitCode());
        assertEquals(GOLDEN.get(5), PluginSource.sha256Hex(run.stdout()));
        assertTrue(run.stats().fuelConsumed() > 0);
        // A bad depth writes to stderr (not granted here, so WASI's fd_write is denied) or exits with 2.
        assertThrows(PluginCapabilityException.class,
                () -> cli.runCommand(List.of("fractal-tree-cli", SEED, "0"), Map.of(), new byte[0]));

        // As a WAGI handler: query pairs as arguments, CGI headers before the SVG.
        Map<String, String> cgi = Map.of("GATEWAY_INTERFACE", "CGI/1.1", "REQUEST_METHOD", "GET");
        CommandResult wagi = cli.runCommand(List.of("/tree", "seed=" + SEED, "depth=5", "trunk=100"), cgi, new byte[0]);
        String head = "Content-Type: image/svg+xml\n\n";
        assertTrue(wagi.stdoutString().startsWith(head), wagi.stdoutString());
        assertEquals(GOLDEN.get(5), PluginSource.sha256Hex(java.util.Arrays.copyOfRange(wagi.stdout(), head.length(), wagi.stdout().length)));
        CommandResult bad = cli.runCommand(List.of("/tree", "seed=x", "depth=99"), cgi, new byte[0]);
        assertTrue(bad.stdoutString().startsWith("Status: 400\n"), bad.stdoutString());
    }
}
