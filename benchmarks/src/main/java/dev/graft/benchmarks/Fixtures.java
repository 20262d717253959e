package dev.graft.benchmarks;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/** Modules and payloads shared by the benchmarks. */
public final class Fixtures {

    /** {@code bench.wat}: Extism echo, raw echo, compute kernels. */
    static final byte[] BENCH_WASM = Wat2Wasm.parse(resource("bench.wat"));

    /** About 200 bytes of JSON, like a quote line sent to a pricing rule. */
    public record QuoteLine(String sku, String name, String category, int quantity, BigDecimal listPrice,
            String customer, String tier, String region, String currency) {
    }

    static final QuoteLine LINE = new QuoteLine("SKU-100-2044", "Industrial hinge, stainless, 120 mm",
            "hardware/hinges", 240, new BigDecimal("17.45"), "ACME Logistics GmbH", "gold", "DE-BY", "EUR");

    private Fixtures() {
    }

    private static String resource(String name) {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
