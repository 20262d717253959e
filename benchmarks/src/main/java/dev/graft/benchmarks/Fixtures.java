package dev.graft.benchmarks;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.binding.JacksonPayloadCodec;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import dev.graft.samples.contracts.Adjustment;
import dev.graft.samples.contracts.Customer;
import dev.graft.samples.contracts.PricingRule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Modules and payloads shared by the benchmarks. */
public final class Fixtures {

    /** {@code bench.wat}: Extism echo and no-op, raw echo, compute kernels. */
    static final byte[] BENCH_WASM = Wat2Wasm.parse(resource("bench.wat"));

    /** The Rust pricing rule {@code sample-plugins/volume-discount} (about 44 KB). */
    public static final String VOLUME_DISCOUNT = "plugins/volume-discount/volume-discount.wasm";
    /** The Rust fractal tree, Extism export {@code render_tree} (about 58 KB). */
    public static final String FRACTAL_TREE = "plugins/fractal-tree/fractal-tree.wasm";
    /** The same tree as a WASI command and WAGI handler (about 98 KB): the "~100 KB plugin" of the lifecycle benchmarks. */
    public static final String FRACTAL_TREE_CLI = "plugins/fractal-tree/fractal-tree-cli.wasm";

    /** About 200 bytes of JSON, like a quote line sent to a pricing rule (echo benchmarks). */
    public record QuoteLine(String sku, String name, String category, int quantity, BigDecimal listPrice,
            String customer, String tier, String region, String currency) {
    }

    static final QuoteLine LINE = new QuoteLine("SKU-100-2044", "Industrial hinge, stainless, 120 mm",
            "hardware/hinges", 240, new BigDecimal("17.45"), "ACME Logistics GmbH", "gold", "DE-BY", "EUR");

    /**
     * The pricing benchmarks' quote line: about 260 bytes of JSON in; the volume-discount rule answers
     * with one adjustment of about 190 bytes.
     */
    public static final dev.graft.samples.contracts.QuoteLine PRICING_LINE = pricingLine(0, 60);

    /** The codec Graft's typed calls use by default, shared by the plain-Java and raw variants. */
    public static final JacksonPayloadCodec CODEC = new JacksonPayloadCodec();

    /** {@code List<Adjustment>}, the return type of {@link PricingRule#apply}. */
    public static final Type ADJUSTMENTS;

    static {
        try {
            ADJUSTMENTS = PricingRule.class.getMethod("apply", dev.graft.samples.contracts.QuoteLine.class)
                    .getGenericReturnType();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One engine for the benchmarks' setups: modules compile once per digest and JVM, which keeps quick
     * mode (every benchmark in one JVM) fast. Full runs fork a JVM per benchmark anyway.
     */
    static final GraftEngine ENGINE = GraftEngine.create();

    private Fixtures() {
    }

    /** A sample pricing plugin as a typed {@link PricingRule} under {@code policy}. */
    public static PricingRule pricingRule(PluginPolicy policy) {
        return ENGINE.load(PluginSpec.builder(PluginSource.ofBytes("volume-discount", bytes(VOLUME_DISCOUNT)))
                .policy(policy).extensionPoint(PricingRule.class).build()).extension(PricingRule.class);
    }

    /** The Extism Chicory SDK's plugin for {@code wasm}, compiled (AoT option). */
    static org.extism.sdk.chicory.Plugin extismSdk(byte[] wasm) {
        return org.extism.sdk.chicory.Plugin.ofManifest(org.extism.sdk.chicory.Manifest
                .ofWasms(org.extism.sdk.chicory.ManifestWasm.fromBytes(wasm).build())
                .withOptions(new org.extism.sdk.chicory.Manifest.Options().withAoT()).build()).build();
    }

    /** Line {@code i} of a quote: varied names and prices; {@code quantity} picks the discount tier. */
    public static dev.graft.samples.contracts.QuoteLine pricingLine(int i, int quantity) {
        return new dev.graft.samples.contracts.QuoteLine(
                "SKU-" + (100_000 + i),
                "Industrial hinge, stainless steel, 120 mm, brushed finish, Größe " + (i % 97),
                "hardware",
                quantity,
                new BigDecimal(BigDecimal.valueOf(1_745 + (i * 37L) % 10_000, 2).toPlainString()),
                new Customer("C-" + (4_711 + i % 50), "ACME Logistik GmbH", "gold", "DE"),
                "EUR",
                i % 3 == 0 ? "SPRING10" : null);
    }

    /** {@code n} lines with quantities 1 to 150, so every discount tier (and none) occurs. */
    public static List<dev.graft.samples.contracts.QuoteLine> pricingLines(int n) {
        List<dev.graft.samples.contracts.QuoteLine> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lines.add(pricingLine(i, 1 + (i * 7) % 150));
        }
        return List.copyOf(lines);
    }

    /** A plain-Java typed call: the line to JSON and back, the rule, the adjustments to JSON and back. */
    @SuppressWarnings("unchecked")
    public static List<Adjustment> javaWithJackson(dev.graft.samples.contracts.QuoteLine line) throws Exception {
        var decoded = (dev.graft.samples.contracts.QuoteLine) CODEC.decode(CODEC.encode(line),
                dev.graft.samples.contracts.QuoteLine.class);
        return (List<Adjustment>) CODEC.decode(CODEC.encode(VolumeDiscountRule.apply(decoded)), ADJUSTMENTS);
    }

    /** A resource of this jar as bytes (the sample plugins are packed under {@code plugins/}). */
    public static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }
}
