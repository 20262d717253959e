package dev.graft.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.source.PluginSource;
import dev.graft.samples.contracts.Customer;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.samples.contracts.QuoteLine;
import dev.graft.samples.contracts.TreeRenderer;
import dev.graft.samples.contracts.TreeRequest;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Quick mode: every benchmark for one short iteration in this JVM (no forks), to catch a broken
 * benchmark, plus the checks that make the comparisons fair (the Java ports answer exactly as the
 * plugins do). It never judges speed.
 */
class QuickBenchmarkTest {

    /** sha256 of the plugin's SVG for seed "Hello WASM", trunk 100 (from sample-plugins' FractalTreeTest). */
    static final Map<Integer, String> GOLDEN = Map.of(
            1, "af61fe35b1c78176667add51bbd17d79a137e4256a932c593b376b77a8ca2756",
            5, "a47cb08ccafde4a4f91c8ac2df49e135e82513d22c204b2d2677169c755c928a",
            10, "26342c4a6c6ecfc6545e24067eae725a9287ed3b9508c5969f8ad2b7510e903f");

    @Test
    void javaTreePortProducesThePluginsBytes() {
        GOLDEN.forEach((depth, sha) -> assertEquals(sha,
                PluginSource.sha256Hex(FractalTree.render("Hello WASM", depth, 100.0)), "depth " + depth));
        TreeRenderer plugin = FractalTreeBenchmark.tree(0);
        TreeRequest request = FractalTreeBenchmark.REQUEST;
        byte[] expected = plugin.render(request);
        assertArrayEquals(expected, FractalTree.render(request.seed(), request.depth(), request.trunkLength()));
        // another seed, non-ASCII, and another trunk length
        TreeRequest other = new TreeRequest("Zoë ✓", 7, 37.5);
        assertArrayEquals(plugin.render(other), FractalTree.render(other.seed(), other.depth(), other.trunkLength()));
    }

    @Test
    void javaVolumeDiscountPortAnswersAsThePlugin() {
        PricingRule plugin = Fixtures.pricingRule(PluginPolicy.defaults());
        List<QuoteLine> lines = new ArrayList<>(Fixtures.pricingLines(400));
        Customer c = new Customer("C-1", "Zoë Müller", "gold", "DE");
        for (String price : List.of("0.01", "0.009", "0.1", "19.99", "0.333", "1234567.891")) {
            for (int q : List.of(0, 9, 10, 49, 50, 99, 100, 1_000)) {
                lines.add(new QuoteLine("S", "Café Crème", "food", q, new BigDecimal(price), c, "EUR", null));
            }
        }
        for (QuoteLine line : lines) {
            assertEquals(plugin.apply(line), VolumeDiscountRule.apply(line), line.toString());
        }
        assertFalse(VolumeDiscountRule.apply(Fixtures.PRICING_LINE).isEmpty(), "the benchmark line gets a discount");
    }

    @Test
    void startupProbeRuns() throws Exception {
        StartupProbe.Result result = StartupProbe.probe("nocache", () -> Lifecycle.newEngine(null));
        assertTrue(result.firstLoadMs() > 0);
        assertEquals(StartupProbe.LATER_PLUGINS, result.laterLoadMs().size());
    }

    @Test
    void classpathCacheProbeRuns() throws Exception {
        ClasspathCacheProbe.main(new String[] {"1", "0"});
    }

    @Test
    void everyBenchmarkRunsAndTheReportRenders(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("quick.json");
        // A real measurement running at the same time holds JMH's lock; this smoke run need not wait for it.
        System.setProperty("jmh.ignoreLock", "true");
        Options options = new OptionsBuilder()
                .include("dev\\.graft\\.benchmarks\\..*")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .build();
        Collection<RunResult> results = new Runner(options).run();
        assertFalse(results.isEmpty());
        for (RunResult r : results) {
            assertEquals(1, r.getBenchmarkResults().size(), r.getParams().getBenchmark());
        }
        List<String> paired = FuelOverheadProbe.run(2, 20, 1);
        assertEquals(6, paired.size(), paired.toString());
        List<String> twoJvms = new java.util.ArrayList<>(paired); // as run.sh appends one JVM's lines after another's
        twoJvms.addAll(FuelOverheadProbe.run(2, 20, 1, List.of("tightLoop")));
        Files.write(dir.resolve("fuel-paired.txt"), twoJvms);
        Path doc = dir.resolve("benchmarks.md");
        ReportWriter.main(new String[] {json.toString(), doc.toString()});
        String text = Files.readString(doc);
        assertTrue(text.contains("### Targets"), text);
        assertTrue(text.contains("Paired and interleaved") && text.contains("| recursive fib(25), i32 |"), text);
        assertTrue(text.contains("Each workload ran in 2 fresh JVMs, together with the other workloads"), text);
        assertTrue(text.contains("| fuel overhead on compute (tight loop) |")
                && text.contains("| fuel overhead on a typed JSON call (200-byte echo, pooled) |"), text);
        assertTrue(text.contains("graftCompiledPooled") || text.contains("Graft typed call"), text);
    }
}
