package dev.graft.test;

import static dev.graft.test.PluginAssertions.assertFuelAtMost;
import static dev.graft.test.PluginAssertions.assertMatchesGolden;
import static dev.graft.test.PluginAssertions.assertMemoryAtMost;
import static dev.graft.test.PluginAssertions.assertRefused;
import static dev.graft.test.PluginAssertions.statsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.graft.api.PluginCallException;
import dev.graft.api.PluginFuelExhaustedException;
import dev.graft.api.PluginLoadException;
import dev.graft.api.policy.ExecutionMode;
import dev.graft.host.engine.CallStats;
import dev.graft.host.engine.Plugin;
import dev.graft.samples.contracts.Adjustment;
import dev.graft.samples.contracts.Customer;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.samples.contracts.QuoteLine;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** The kit over the committed sample modules (built by sample-plugins/build.sh, pinned in plugins.lock). */
@GraftPluginTest
class GraftPluginExtensionTest {

    static final String DIR = "../sample-plugins/";
    static final String LOCK = DIR + "plugins.lock";
    static final String VOLUME_DISCOUNT_SHA256 = "74da529e96ce0788ae73214f00d63056bf3b543f0100fc1283a0ae723acdf923";

    @WasmPlugin(path = DIR + "volume-discount/volume-discount.wasm", sha256 = VOLUME_DISCOUNT_SHA256)
    PricingRule volumeDiscount;

    @WasmPlugin(path = DIR + "customer-tier/customer-tier.wasm", lockFile = LOCK, mode = ExecutionMode.INTERPRETED)
    PricingRule customerTier;

    final List<String> tierLookups = new ArrayList<>();

    @HostStub("erp_customer_tier")
    String tier(String pluginId, String customerId) {
        tierLookups.add(pluginId + ":" + customerId);
        return customerId.equals("C-200") ? "platinum" : "";
    }

    static QuoteLine line(int quantity, String unitPrice, String customerId) {
        return new QuoteLine("SKU-1", "Tee", "food", quantity, new BigDecimal(unitPrice),
                new Customer(customerId, "Ana", "standard", "AT"), "EUR", null);
    }

    @Test
    void injectsTheTypedExtensionOfAPinnedModule() {
        assertEquals(List.of(new Adjustment("volume-discount", new BigDecimal("-10.00"),
                "Volume discount 5% for 10+ units: 10 × Tee")), volumeDiscount.apply(line(10, "19.99", "C-1")));
    }

    @Test
    void hostStubsAnswerTheHostFunctionAndAreGranted() {
        assertEquals(List.of(new Adjustment("customer-tier", new BigDecimal("-1.50"),
                "Platinum customer discount 15% for Ana")), customerTier.apply(line(1, "10", "C-200")));
        assertEquals(List.of(), customerTier.apply(line(1, "10", "C-300")));
        assertEquals(List.of("customer-tier:C-200", "customer-tier:C-300"), tierLookups);
    }

    @Test
    void injectsParametersAndThePlugin(
            @WasmPlugin(path = DIR + "volume-discount/volume-discount.wasm", lockFile = LOCK, id = "vd") Plugin plugin) {
        assertEquals("vd", plugin.id());
        assertEquals(VOLUME_DISCOUNT_SHA256, plugin.sha256());
        PluginCallException e = assertRefused(PluginCallException.class,
                () -> plugin.call("apply_rule", "{\"quantity\":".getBytes(StandardCharsets.UTF_8)), "'vd'", "apply_rule");
        assertTrue(e.pluginMessage().startsWith("invalid JSON input"), e.pluginMessage());
    }

    @Test
    void fuelAndMemoryAssertionsReadTheCall(
            @WasmPlugin(path = DIR + "volume-discount/volume-discount.wasm", lockFile = LOCK, fuel = 10_000_000) PricingRule rule) {
        CallStats stats = statsOf(() -> rule.apply(line(10, "1", "C-1")));
        assertTrue(stats.fuelConsumed() > 0 && stats.memoryHighWaterBytes() > 0, stats.toString());
        assertEquals(1, assertFuelAtMost(stats.fuelConsumed(), () -> rule.apply(line(10, "1", "C-1"))).size());
        assertThrows(AssertionFailedError.class, () -> assertFuelAtMost(stats.fuelConsumed() - 1,
                () -> rule.apply(line(10, "1", "C-1"))));
        assertMemoryAtMost(stats.memoryHighWaterBytes(), () -> rule.apply(line(10, "1", "C-1")));
        assertThrows(AssertionFailedError.class, () -> assertMemoryAtMost(1024, () -> rule.apply(line(10, "1", "C-1"))));
        assertThrows(AssertionFailedError.class, () -> statsOf(() -> { }));
    }

    @Test
    void aTooSmallFuelBudgetIsRefusedAndTheAssertionChecksTypeAndMessage(
            @WasmPlugin(path = DIR + "volume-discount/volume-discount.wasm", lockFile = LOCK, fuel = 1_000) PricingRule rule) {
        assertRefused(PluginFuelExhaustedException.class, () -> rule.apply(line(10, "1", "C-1")), "volume-discount");
        assertThrows(AssertionFailedError.class,
                () -> assertRefused(PluginCallException.class, () -> rule.apply(line(10, "1", "C-1"))));
        assertThrows(AssertionFailedError.class, () -> assertRefused(PluginFuelExhaustedException.class,
                () -> rule.apply(line(10, "1", "C-1")), "no such words"));
        assertThrows(AssertionFailedError.class, () -> assertRefused(PluginFuelExhaustedException.class, () -> { }));
    }

    @Test
    void aWrongPinIsRefusedAtLoad() {
        WasmPlugin wrong = Holder.annotation("wrongPin");
        assertRefused(PluginLoadException.class, () -> GraftPluginExtension.load(wrong, PricingRule.class, this), "sha256");
        WasmPlugin none = Holder.annotation("noPin");
        assertThrows(org.junit.jupiter.api.extension.ExtensionConfigurationException.class,
                () -> GraftPluginExtension.load(none, PricingRule.class, this));
    }

    /** The plugin a test was given, to check after the class that the kit closed it. */
    static Plugin injectedEarlier;

    @Test
    void pluginsAreClosedAfterTheirTest(@WasmPlugin(path = DIR + "volume-discount/volume-discount.wasm",
            lockFile = LOCK) Plugin plugin) {
        injectedEarlier = plugin;
        assertEquals(1, plugin.extension(PricingRule.class).apply(line(10, "1", "C-1")).size());
    }

    @org.junit.jupiter.api.AfterAll
    static void theInjectedPluginWasClosed() {
        if (injectedEarlier != null) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> injectedEarlier.call("apply_rule", new byte[0]));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @Test
    void aFailingStubEndsThePluginCallAndABadStubIsAConfigurationError() {
        Plugin plugin = GraftPluginExtension.load(Holder.annotation("tier"), PricingRule.class, new FailingStub());
        try {
            PricingRule rule = plugin.extension(PricingRule.class);
            assertRefused(PluginCallException.class, () -> rule.apply(line(1, "10", "C-200")), "customer-tier",
                    "erp_customer_tier");
        } finally {
            plugin.close();
        }
        assertThrows(org.junit.jupiter.api.extension.ExtensionConfigurationException.class,
                () -> GraftPluginExtension.load(Holder.annotation("tier"), PricingRule.class, new BadStub()));
    }

    static final class FailingStub {
        @HostStub("erp_customer_tier")
        byte[] tier(byte[] customerId) {
            throw new IllegalStateException("ERP is down");
        }
    }

    static final class BadStub {
        @HostStub("erp_customer_tier")
        int tier(String customerId) {
            return 1;
        }
    }

    @Test
    void goldenFilesAreWrittenOnceThenCompared(@TempDir Path dir) throws Exception {
        Path golden = dir.resolve("golden/out.json");
        assertThrows(AssertionFailedError.class, () -> assertMatchesGolden(golden, "[1]"));
        assertEquals("[1]", Files.readString(golden));
        assertMatchesGolden(golden, "[1]");
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> assertMatchesGolden(golden, "[2]"));
        assertTrue(e.getMessage().contains("at byte 1"), e.getMessage());
    }

    /** Annotations read reflectively for the load-refusal cases, which must not be injected. */
    static final class Holder {
        @WasmPlugin(path = DIR + "volume-discount/volume-discount.wasm",
                sha256 = "0000000000000000000000000000000000000000000000000000000000000000")
        Object wrongPin;

        @WasmPlugin(path = DIR + "volume-discount/volume-discount.wasm")
        Object noPin;

        @WasmPlugin(path = DIR + "customer-tier/customer-tier.wasm", lockFile = LOCK)
        Object tier;

        static WasmPlugin annotation(String field) {
            try {
                return Holder.class.getDeclaredField(field).getAnnotation(WasmPlugin.class);
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
