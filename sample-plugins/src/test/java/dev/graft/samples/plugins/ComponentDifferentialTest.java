package dev.graft.samples.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.graft.api.PluginException;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.LoadLimits;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.binding.JacksonPayloadCodec;
import dev.graft.host.engine.Plugin;
import dev.graft.samples.contracts.Adjustment;
import dev.graft.samples.contracts.Customer;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.samples.contracts.QuoteLine;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sample components (pricing-rust, pricing-js: WIT world graft:pricing-rule) answer, for a few hundred
 * generated quote lines, exactly what a reference host answers: Node running them through {@code jco transpile}
 * (component-tools/run-components.mjs). Node's answers are held against the Extism volume-discount rule in Graft
 * (the same rule, as a JSON plugin), and against Graft running each component through
 * {@code plugin.extension(PricingRule.class)}.
 */
class ComponentDifferentialTest {

    static final long SEED = 20261203L;
    static final int COUNT = 320;
    static final List<String> COMPONENTS = List.of(Samples.PRICING_RUST, Samples.PRICING_JS);
    static final Path TOOLS = Path.of("component-tools");

    static List<QuoteLine> inputs;
    static String nodeBinary;
    /** Per component, per input: {"ok": [adjustment...]} or {"err": message}, as Node answered. */
    static Map<String, List<JsonNode>> node;

    @BeforeAll
    static void runInNode(@TempDir Path dir) throws Exception {
        inputs = inputs(SEED, COUNT);
        nodeBinary = nodeBinary();
        assumeTrue(nodeBinary != null, "skipped: Node is not installed (sample-plugins/setup.sh or .ci/run installs it); "
                + "the components' reference answers come from Node");
        assumeTrue(Files.isDirectory(TOOLS.resolve("node_modules/@bytecodealliance/jco")),
                "skipped: jco is not installed in sample-plugins/component-tools (run sample-plugins/setup.sh)");
        ObjectMapper mapper = new JacksonPayloadCodec().mapper();
        Path in = dir.resolve("inputs.json");
        // The lines exactly as Graft's JSON codec writes them for the Extism rule.
        Files.write(in, mapper.writeValueAsBytes(inputs));
        List<String> command = new ArrayList<>(List.of(nodeBinary, TOOLS.resolve("run-components.mjs").toString(),
                in.toString()));
        command.addAll(COMPONENTS);
        Path out = dir.resolve("out.json");
        Path err = dir.resolve("err.txt");
        long started = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "node did not finish within 5 minutes");
        String stderr = Files.readString(err);
        assertEquals(0, p.exitValue(), "node failed: " + stderr);
        System.out.printf("differential: Node ran %d components × %d inputs in %d ms (transpile + instantiate + run): %s%n",
                COMPONENTS.size(), COUNT, (System.nanoTime() - started) / 1_000_000, stderr.trim());
        JsonNode results = mapper.readTree(out.toFile());
        node = new LinkedHashMap<>();
        for (int i = 0; i < COMPONENTS.size(); i++) {
            List<JsonNode> answers = new ArrayList<>();
            results.get(i).forEach(answers::add);
            assertEquals(COUNT, answers.size());
            node.put(COMPONENTS.get(i), answers);
        }
    }

    /** Node as build.sh finds it: setup.sh's Node 20 where the system one is older, else the one on PATH. */
    static String nodeBinary() {
        Path local = Path.of(".tools/node/bin/node");
        for (String candidate : List.of(local.toString(), "node")) {
            try {
                Process p = new ProcessBuilder(candidate, "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (Exception e) {
                // not this one
            }
        }
        return null;
    }

    @Test
    void bothComponentsInNodeAnswerAsTheExtismVolumeDiscountRuleInGraft() {
        // The fuel for a 20,000-character name: the Rust JSON reader and writer take about 500 per character.
        Plugin extism = Samples.load(Samples.VOLUME_DISCOUNT, ExecutionMode.COMPILED, spec -> spec
                .extensionPoint(PricingRule.class)
                .policy(PluginPolicy.builder().mode(ExecutionMode.COMPILED).fuel(1_000_000_000L).build()));
        PricingRule rule = extism.extension(PricingRule.class);
        long started = System.nanoTime();
        List<String> graft = inputs.stream().map(line -> answer(rule, line)).toList();
        long graftMs = (System.nanoTime() - started) / 1_000_000;
        int discounts = 0;
        int errors = 0;
        for (String component : COMPONENTS) {
            List<String> expected = node.get(component).stream().map(ComponentDifferentialTest::answer).toList();
            for (int i = 0; i < COUNT; i++) {
                assertSame(expected.get(i), graft.get(i), component + " in Node vs the Extism rule in Graft", i);
            }
        }
        for (String a : graft) {
            discounts += a.startsWith("ok [Adjustment") ? 1 : 0;
            errors += a.startsWith("err ") ? 1 : 0;
        }
        System.out.printf("differential: Extism volume-discount in Graft, %d lines in %d ms; %d discounted, %d refused%n",
                COUNT, graftMs, discounts, errors);
        // The generator must exercise every branch, or agreeing means little.
        assertTrue(discounts > COUNT / 3, "discounted lines: " + discounts);
        assertTrue(COUNT - discounts - errors > 20, "lines without discount: " + (COUNT - discounts - errors));
    }

    /**
     * The lines of component-tools/check-inputs.json, raw JSON: a price the typed API cannot produce
     * ("1e3") is refused with the same message by the Extism rule in Graft and by both components in Node.
     */
    @Test
    void anInvalidPriceIsRefusedWithTheSameMessageByAll() throws Exception {
        ObjectMapper mapper = new JacksonPayloadCodec().mapper();
        Path checkInputs = TOOLS.resolve("check-inputs.json");
        Process p = new ProcessBuilder(List.of(nodeBinary, TOOLS.resolve("run-components.mjs").toString(),
                checkInputs.toString(), Samples.PRICING_RUST, Samples.PRICING_JS))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "node did not finish within 5 minutes");
        assertEquals(0, p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
        JsonNode results = mapper.readTree(out);
        JsonNode lines = mapper.readTree(checkInputs.toFile());
        Plugin extism = Samples.load(Samples.VOLUME_DISCOUNT, ExecutionMode.COMPILED, spec -> spec);
        int refused = 0;
        for (int i = 0; i < lines.size(); i++) {
            String graft;
            try {
                JsonNode adjustments = mapper.readTree(extism.call("apply_rule", mapper.writeValueAsBytes(lines.get(i))).output());
                graft = answer(mapper.createObjectNode().set("ok", adjustments));
            } catch (dev.graft.api.PluginCallException e) {
                graft = "err " + e.pluginMessage();
                refused++;
            }
            for (int c = 0; c < COMPONENTS.size(); c++) {
                assertEquals(answer(results.get(c).get(i)), graft, COMPONENTS.get(c) + ", check input " + i);
            }
        }
        assertEquals(1, refused, "check-inputs.json has one line with an invalid price");
    }

    @ParameterizedTest
    @ValueSource(strings = {Samples.PRICING_RUST, Samples.PRICING_JS})
    void graftRunsEachComponentAsNodeDoes(String component) {
        long started = System.nanoTime();
        // pricing-js is SpiderMonkey: a 145-page memory and a 12 MB core module whose translation to JVM
        // bytecode took 78 s on a loaded 2-core machine (over the default 1-minute load budget). Compiled
        // rather than tiered: load + 320 calls measured 78 + 68 s against 27 + 161 s (calls interpreted while
        // the compiler runs). Fuel and time are generous: this test compares answers, not costs.
        Plugin plugin = Samples.ENGINE.load(dev.graft.host.engine.PluginSpec.builder(Samples.pinned(component))
                .policy(PluginPolicy.builder().mode(ExecutionMode.COMPILED)
                        .maxMemoryBytes(64L * 1024 * 1024).maxModuleBytes(32L * 1024 * 1024)
                        .loadLimits(LoadLimits.builder().compileTimeout(Duration.ofMinutes(10)).build())
                        .fuel(10_000_000_000L).timeout(Duration.ofSeconds(60)).build())
                .extensionPoint(PricingRule.class).build());
        long loadMs = (System.nanoTime() - started) / 1_000_000;
        PricingRule rule = plugin.extension(PricingRule.class);
        started = System.nanoTime();
        List<String> graft = inputs.stream().map(line -> answer(rule, line)).toList();
        long runMs = (System.nanoTime() - started) / 1_000_000;
        List<String> expected = node.get(component).stream().map(ComponentDifferentialTest::answer).toList();
        for (int i = 0; i < COUNT; i++) {
            assertSame(expected.get(i), graft.get(i), component + " in Graft vs in Node", i);
        }
        System.out.printf("differential: %s in Graft: load %d ms, %d lines in %d ms%n", component, loadMs, COUNT, runMs);
    }

    /**
     * Node's err is the WIT result's error string; Graft reports a plugin's error in an exception whose
     * message contains it, so errors compare by containment, adjustments exactly.
     */
    static void assertSame(String node, String graft, String what, int i) {
        boolean same = node.startsWith("err ") && graft.startsWith("err ") ? graft.contains(node.substring(4))
                : node.equals(graft);
        if (!same) {
            fail(what + ", line " + i + " " + describe(i) + ": Node answered '" + shorten(node) + "', Graft '"
                    + shorten(graft) + "'");
        }
    }

    /** Keeps failure messages readable when a line has a 20,000-character name. */
    static String shorten(String s) {
        return s.length() <= 300 ? s : s.substring(0, 150) + "…(" + s.length() + " chars)…" + s.substring(s.length() - 100);
    }

    static String describe(int i) {
        QuoteLine l = inputs.get(i);
        String name = l.name().length() > 60 ? l.name().substring(0, 60) + "…(" + l.name().length() + " chars)" : l.name();
        return "(quantity " + l.quantity() + ", unitPrice " + l.unitPrice().toPlainString() + ", name '" + name + "')";
    }

    /** One line's answer, comparable: "ok [Adjustment[...], ...]" with amounts in plain notation, or "err message". */
    static String answer(PricingRule rule, QuoteLine line) {
        try {
            return "ok " + rule.apply(line).stream()
                    .map(a -> "Adjustment[" + a.ruleId() + ", " + a.amount().toPlainString() + ", " + a.reason() + "]").toList();
        } catch (PluginException e) {
            return "err " + e.getMessage();
        }
    }

    static String answer(JsonNode node) {
        if (node.has("err")) {
            return "err " + node.get("err").asText();
        }
        List<String> adjustments = new ArrayList<>();
        for (JsonNode a : node.get("ok")) {
            adjustments.add("Adjustment[" + a.get("ruleId").asText() + ", " + a.get("amount").asText() + ", "
                    + a.get("reason").asText() + "]");
        }
        return "ok " + adjustments;
    }

    // ---- the inputs

    static final int[] QUANTITIES = {0, 1, 9, 10, 11, 49, 50, 51, 99, 100, 101, 1000, 123_456, Integer.MAX_VALUE, -1,
        Integer.MIN_VALUE};
    static final String[] TEXTS = {"Café Crème", "Schrauben M4 ⌀ 4 mm", "李小龍的茶", "שלום עולם", "مرحبا", "😀🎉👩‍👩‍👧",
        "e\u0301 combining", "tab\there, new\nline", "quote\" back\\slash", "", " ", "Zoë Müller", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "\u0001\u001f control", "ﬁ ligature", "NBSP\u00a0here", "x"};
    static final String[] PRICES = {"0", "0.00", "0.01", "0.005", "0.35", "1", "1.5", "19.99", "99999.99",
        "123456789.123456789", "999999.999999999999999999", "0.000001", "0.0000001", "1E+3", "12345678901234567890.1234",
        "-5.50", "0.333", "7.777777777777777777"};
    static final String[] PROMOS = {null, "", "SPRING-10", "WELCOME", "ÉTÉ-2026", "🎁"};
    static final String[] TIERS = {null, "gold", "platinum", "", "silver"};

    /** Deterministic quote lines: boundary quantities and prices, Unicode text, some very long names. */
    static List<QuoteLine> inputs(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        List<QuoteLine> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int quantity = i < QUANTITIES.length ? QUANTITIES[i]
                    : random.nextInt(4) == 0 ? random.nextInt(0, 200) : QUANTITIES[random.nextInt(QUANTITIES.length)];
            String name = text(random);
            if (i % 40 == 7) {
                name = name.repeat(Math.max(1, 20_000 / Math.max(1, name.length()))); // a very long name
            }
            BigDecimal price = i < PRICES.length ? new BigDecimal(PRICES[i])
                    : random.nextInt(3) == 0 ? new BigDecimal(PRICES[random.nextInt(PRICES.length)]) : price(random);
            Customer customer = new Customer("C-" + random.nextInt(10_000), text(random), TIERS[random.nextInt(TIERS.length)],
                    random.nextBoolean() ? "DE" : "US-CA");
            lines.add(new QuoteLine("SKU-" + text(random) + "-" + i, name, random.nextBoolean() ? "food" : "hardware",
                    quantity, price, customer, random.nextBoolean() ? "EUR" : "USD", PROMOS[random.nextInt(PROMOS.length)]));
        }
        return lines;
    }

    static String text(SplittableRandom random) {
        return TEXTS[random.nextInt(TEXTS.length)] + (random.nextBoolean() ? " " + TEXTS[random.nextInt(TEXTS.length)] : "");
    }

    /** Up to 24 significant digits (the Rust rules compute in i128: price × quantity × percent must fit). */
    static BigDecimal price(SplittableRandom random) {
        int integerDigits = random.nextInt(0, 13);
        int fractionDigits = random.nextInt(0, 12);
        StringBuilder s = new StringBuilder();
        s.append(integerDigits == 0 ? "0" : String.valueOf(random.nextInt(1, 10)));
        for (int d = 1; d < integerDigits; d++) {
            s.append(random.nextInt(10));
        }
        if (fractionDigits > 0) {
            s.append('.');
            for (int d = 0; d < fractionDigits; d++) {
                s.append(random.nextInt(10));
            }
        }
        return new BigDecimal(s.toString());
    }

    @Test
    void theInputsAreTheSameForTheSameSeed() {
        assertEquals(inputs(SEED, COUNT), inputs(SEED, COUNT));
        assertFalse(inputs(SEED, COUNT).equals(inputs(SEED + 1, COUNT)));
        assertTrue(inputs.stream().anyMatch(l -> l.name().length() >= 20_000));
        assertTrue(inputs.stream().anyMatch(l -> l.promoCode() == null) && inputs.stream().anyMatch(l -> "".equals(l.promoCode())));
        assertTrue(inputs.stream().anyMatch(l -> l.quantity() == Integer.MAX_VALUE));
    }
}
