package dev.graft.samples.plugins;

import dev.graft.api.policy.ExecutionMode;
import dev.graft.api.policy.PluginPolicy;
import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import dev.graft.samples.contracts.Customer;
import dev.graft.samples.contracts.QuoteLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The committed sample modules (paths relative to the sample-plugins module) and their pins. */
final class Samples {

    static final Path DIR = Path.of(".");
    static final String VOLUME_DISCOUNT = "volume-discount/volume-discount.wasm";
    static final String CUSTOMER_TIER = "customer-tier/customer-tier.wasm";
    static final String PROMO_CODES = "promo-codes/promo-codes.wasm";
    static final String REGIONAL_TAX = "regional-tax/regional-tax.wasm";
    static final String FRACTAL_TREE = "fractal-tree/fractal-tree.wasm";
    static final String FRACTAL_TREE_CLI = "fractal-tree/fractal-tree-cli.wasm";
    /** WebAssembly components of the WIT world wit/pricing-rule.wit. */
    static final String PRICING_RUST = "pricing-rust/pricing-rust.wasm";
    static final String PRICING_JS = "pricing-js/pricing-js.wasm";
    /** A WebAssembly component of the WIT world wit/tier-rule.wit (pricing-rule plus a host function import). */
    static final String TIER_RUST = "tier-rust/tier-rust.wasm";

    static final GraftEngine ENGINE = GraftEngine.create();

    /** plugins.lock: path → sha256. */
    static final Map<String, String> LOCK = readLock();

    private Samples() {
    }

    private static Map<String, String> readLock() {
        try {
            Map<String, String> lock = new LinkedHashMap<>();
            for (String line : Files.readAllLines(DIR.resolve("plugins.lock"))) {
                if (!line.isBlank()) {
                    String[] parts = line.trim().split("\\s+", 2);
                    lock.put(parts[1], parts[0]);
                }
            }
            return lock;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path path(String module) {
        return DIR.resolve(module);
    }

    /** The module's source, pinned to its plugins.lock digest. */
    static PluginSource pinned(String module) {
        return PluginSource.ofFile(path(module)).pinned(LOCK.get(module));
    }

    static Plugin load(String module, ExecutionMode mode, UnaryOperator<PluginSpec.Builder> customize) {
        PluginSpec.Builder spec = PluginSpec.builder(pinned(module))
                .policy(PluginPolicy.builder().mode(mode).build());
        return ENGINE.load(customize.apply(spec).build());
    }

    static QuoteLine line(String name, String category, int quantity, String unitPrice, Customer customer,
            String promoCode) {
        return new QuoteLine("SKU-1", name, category, quantity, new BigDecimal(unitPrice), customer, "EUR", promoCode);
    }

    static final Customer ZOE = new Customer("C-100", "Zoë Müller", "gold", "DE");
}
