package dev.graft.samples.erp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.boot.audit.PluginLifecycleEvent;
import dev.graft.samples.erp.catalog.Product;
import dev.graft.samples.erp.catalog.ProductRepository;
import dev.graft.samples.erp.customers.CustomerAccount;
import dev.graft.samples.erp.customers.CustomerRepository;
import dev.graft.samples.erp.plugins.PluginAuditLog;
import dev.graft.samples.erp.quotes.Quote;
import dev.graft.samples.erp.quotes.QuoteRepository;
import dev.graft.samples.erp.quotes.QuoteRequest;
import dev.graft.samples.erp.quotes.QuoteService;
import dev.graft.samples.erp.replay.HostCall;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.ActiveProfiles;

/**
 * What the app stores, checked through its own repositories: the migrations, money to the cent at the
 * columns' limits, a quote priced by the plugins read back unchanged (with the bytes recorded for replay), and
 * the plugin audit trail. Runs on H2
 * here and, unchanged, on PostgreSQL in {@link PostgresPersistenceTest}: both databases must behave the same.
 * (Same configuration as {@link ErpApiTest}, so the two share one application context.)
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles("test")
class PersistenceTest {

    @Autowired Flyway flyway;
    @Autowired ProductRepository products;
    @Autowired QuoteRepository quotes;
    @Autowired CustomerRepository customers;
    @Autowired QuoteService quoteService;
    @Autowired PluginAuditLog audit;

    @Test
    void everyMigrationIsAppliedAndNonePending() {
        List<String> applied = Arrays.stream(flyway.info().applied())
                .filter(m -> m.getVersion() != null)
                .map(m -> m.getVersion().getVersion() + ":" + m.getState().isApplied() + ":" + m.getState().isFailed())
                .toList();
        assertThat(applied).containsExactly("1:true:false", "2:true:false", "3:true:false", "4:true:false");
        assertThat(flyway.info().pending()).extracting(MigrationInfo::getScript).isEmpty();
        assertThat(products.findBySku("SCREW-M4")).hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("Schrauben M4 ⌀ 4 mm"));
    }

    /** NUMERIC(19, 2): 17 digits before the point, 2 after; what goes in comes back to the cent, with scale 2. */
    @ParameterizedTest
    @CsvSource({
            "0.01, 0.01",
            "19.99, 19.99",
            "10.50, 10.50",
            "5.5, 5.50",
            "7, 7.00",
            "-0.01, -0.01",
            "1234567.89, 1234567.89",
            "99999999999999999.99, 99999999999999999.99",
            "-99999999999999999.99, -99999999999999999.99",
            "12345678901234567.01, 12345678901234567.01"})
    void moneyComesBackToTheCentWithScaleTwo(String stored, String read) {
        Product saved = products.save(new Product(null, "MONEY-" + UUID.randomUUID(), "money test", "test", new BigDecimal(stored)));
        BigDecimal back = products.findById(saved.id()).orElseThrow().listPrice();
        assertThat(back.toPlainString()).isEqualTo(read);
        assertThat(back.scale()).isEqualTo(2);
    }

    @Test
    void aQuoteWithLargeAmountsPricedByThePluginsIsReadBackUnchanged() {
        String sku = "BIG-" + UUID.randomUUID().toString().substring(0, 8);
        products.save(new Product(null, sku, "Großanlage", "hardware", new BigDecimal("99999.99")));
        long customer = customers.save(new CustomerAccount(null, "Grüne Wiese GmbH", "gold", "DE")).id();
        Quote created = quoteService.create(new QuoteRequest(customer, "VIP", List.of(
                new QuoteRequest.LineRequest(sku, QuoteRequest.MAX_QUANTITY),
                new QuoteRequest.LineRequest("SCREW-M4", 3))));

        Quote read = quotes.findById(created.id()).orElseThrow();
        assertThat(read).usingRecursiveComparison().isEqualTo(created);
        assertThat(read.lines().get(0).lineTotal()).isEqualByComparingTo("9999999000.00");   // 100,000 × 99,999.99
        assertThat(read.subtotal().toPlainString()).isEqualTo("9999999001.05");                 // + 3 × 0.35
        assertThat(read.total()).isEqualByComparingTo(read.subtotal().add(read.adjustmentTotal()));
        assertThat(read.lines().stream().map(Quote.Line::netTotal).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo(read.total());
        // every rule adjusted the big line, each adjustment stored with its plugin's digest and fuel
        assertThat(read.adjustments()).filteredOn(a -> a.lineNo() == 0).extracting(Quote.Adjustment::pluginId)
                .containsExactly("volume-discount", "customer-tier", "promo-codes", "regional-tax");
        assertThat(read.adjustments()).allSatisfy(a -> {
            assertThat(a.amount().scale()).isEqualTo(2);
            assertThat(a.pluginSha256()).isEqualTo(ErpApiTest.PINS.get(a.pluginId()));
            assertThat(a.fuel()).isPositive();
        });
        assertThat(read.ruleRuns()).hasSize(8).allSatisfy(r -> assertThat(r.outcome()).isEqualTo("ok"));
        // what each rule was given and answered, byte for byte, for replay (V4): UTF-8 JSON with the non-ASCII name
        assertThat(read.ruleRuns()).filteredOn(r -> r.lineNo() == 0).allSatisfy(r -> {
            assertThat(new String(r.input(), StandardCharsets.UTF_8)).contains("\"name\":\"Großanlage\"", "\"quantity\":100000",
                    "\"unitPrice\":\"99999.99\"", "\"name\":\"Grüne Wiese GmbH\"");
            assertThat(new String(r.output(), StandardCharsets.UTF_8)).startsWith("[{\"ruleId\":");
        });
        assertThat(HostCall.fromJson(read.ruleRuns().get(1).hostCalls())).singleElement()
                .satisfies(call -> assertThat(call.output()).isEqualTo("gold".getBytes(StandardCharsets.UTF_8)));
    }

    /** The replay columns keep any bytes (BYTEA on both databases), not only UTF-8, and host calls as stored. */
    @Test
    void ruleRunBytesComeBackExactly() {
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        String hostCalls = HostCall.toJson(List.of(new HostCall("erp_customer_tier", new byte[] {(byte) 0xff, 0, '7'},
                "ßilver".getBytes(StandardCharsets.UTF_8), null), new HostCall("other", new byte[0], null, "down")));
        BigDecimal price = new BigDecimal("1.00");
        Quote saved = quotes.save(new Quote(null, 1L, "Zoë Müller", "gold", "DE", "EUR", null,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), price, BigDecimal.ZERO.setScale(2), price, Quote.PRICED,
                List.of(new Quote.Line("CAFE-1KG", "Café Crème 1 kg", "food", 1, price, price, BigDecimal.ZERO.setScale(2), price)),
                List.of(),
                List.of(new Quote.RuleRun(0, "volume-discount", ErpApiTest.PINS.get("volume-discount"), "ok", 0, 42, 1, null,
                                null, everyByte, new byte[0], hostCalls),
                        new Quote.RuleRun(0, "customer-tier", null, "fallback", 0, -1, 0, "PluginUnavailableException",
                                "not serving", null, null, null))));

        Quote read = quotes.findById(saved.id()).orElseThrow();
        assertThat(read.ruleRuns().get(0).input()).isEqualTo(everyByte);
        assertThat(read.ruleRuns().get(0).output()).isEmpty();
        assertThat(read.ruleRuns().get(0).hostCalls()).isEqualTo(hostCalls);
        List<HostCall> calls = HostCall.fromJson(read.ruleRuns().get(0).hostCalls());
        assertThat(calls.get(0).input()).containsExactly((byte) 0xff, 0, '7');
        assertThat(new String(calls.get(0).output(), StandardCharsets.UTF_8)).isEqualTo("ßilver");
        assertThat(calls.get(1).output()).isNull();
        assertThat(calls.get(1).error()).isEqualTo("down");
        assertThat(read.ruleRuns().get(1).input()).isNull();
        assertThat(read.ruleRuns().get(1).output()).isNull();
        assertThat(read.ruleRuns().get(1).hostCalls()).isNull();
    }

    @Test
    void theAuditTrailKeepsTimeTextAndOrder() {
        Instant time = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String detail = "Łukasz Żółć ⌀ 4 mm — " + "x".repeat(5000);
        audit.record(new PluginLifecycleEvent(time, "admin", "promo-codes", "DISABLED", ErpApiTest.PINS.get("promo-codes"),
                "erp-demo", "file:../sample-plugins/promo-codes/promo-codes.wasm", detail));
        audit.record(new PluginLifecycleEvent(time.plusMillis(1), "admin", "promo-codes", "ENABLED", null, null, null, null));

        List<PluginAuditLog.Entry> latest = audit.latest(2);
        assertThat(latest).extracting(PluginAuditLog.Entry::action).containsExactly("ENABLED", "DISABLED");
        assertThat(latest.get(0).id()).isGreaterThan(latest.get(1).id());
        PluginAuditLog.Entry disabled = latest.get(1);
        assertThat(disabled.time()).isEqualTo(time);
        assertThat(disabled.principal()).isEqualTo("admin");
        assertThat(disabled.sha256()).isEqualTo(ErpApiTest.PINS.get("promo-codes"));
        assertThat(disabled.signedBy()).isEqualTo("erp-demo");
        // the column holds 4,000 characters (not bytes): the detail is cut there, non-ASCII intact
        assertThat(disabled.detail()).hasSize(4000).startsWith("Łukasz Żółć ⌀ 4 mm — xxx").endsWith("x…");
        assertThat(latest.get(0).sha256()).isNull();
        assertThat(latest.get(0).detail()).isNull();
        // and the startup loads are there, by the system
        assertThat(audit.latest(1000)).anySatisfy(e -> assertThat(e).extracting(PluginAuditLog.Entry::principal,
                PluginAuditLog.Entry::pluginId, PluginAuditLog.Entry::action).containsExactly("system", "regional-tax", "LOADED"));
    }
}
