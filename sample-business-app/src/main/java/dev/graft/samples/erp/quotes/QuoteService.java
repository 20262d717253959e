package dev.graft.samples.erp.quotes;

import dev.graft.samples.contracts.Customer;
import dev.graft.samples.erp.ErpProperties;
import dev.graft.samples.erp.catalog.Product;
import dev.graft.samples.erp.catalog.ProductRepository;
import dev.graft.samples.erp.customers.CustomerAccount;
import dev.graft.samples.erp.customers.CustomerRepository;
import dev.graft.samples.erp.web.ApiProblems;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/** Creates quotes (priced by the plugins), reads them, and recomputes them with today's plugins. */
@Service
public class QuoteService {

    /**
     * Whether today's plugins give the same result as when the quote was stored.
     *
     * @param differences adjustments that appeared or disappeared, and totals that changed, in words
     * @param pluginVersions plugins whose module (sha256) changed since the quote was priced
     * @param recomputed the quote as priced now (not stored)
     */
    public record Recomputation(long quoteId, boolean same, String storedTotal, String recomputedTotal,
            List<String> differences, List<VersionChange> pluginVersions, QuoteView recomputed) {
    }

    public record VersionChange(String pluginId, String storedSha256, String currentSha256) {
    }

    private final QuoteRepository quotes;
    private final CustomerRepository customers;
    private final ProductRepository products;
    private final PricingService pricing;
    private final ErpProperties properties;

    public QuoteService(QuoteRepository quotes, CustomerRepository customers, ProductRepository products,
            PricingService pricing, ErpProperties properties) {
        this.quotes = quotes;
        this.customers = customers;
        this.products = products;
        this.pricing = pricing;
        this.properties = properties;
    }

    public Quote create(QuoteRequest request) {
        CustomerAccount customer = customers.findById(request.customerId())
                .orElseThrow(() -> ApiProblems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Unknown customer",
                        "No customer has the id " + request.customerId() + ".", Map.of("customerId", request.customerId())));
        List<PricingService.LineInput> inputs = new ArrayList<>();
        for (int i = 0; i < request.lines().size(); i++) {
            QuoteRequest.LineRequest line = request.lines().get(i);
            int lineNo = i;
            Product product = products.findBySku(line.sku().trim())
                    .orElseThrow(() -> ApiProblems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Unknown SKU",
                            "Line " + lineNo + ": no product has the SKU '" + line.sku() + "'.",
                            Map.of("sku", line.sku(), "line", lineNo)));
            inputs.add(new PricingService.LineInput(product.sku(), product.name(), product.category(), line.quantity(),
                    product.listPrice()));
        }
        String promo = request.promoCode() == null || request.promoCode().isBlank() ? null
                : request.promoCode().trim().toUpperCase(Locale.ROOT);
        PricingService.Priced priced = pricing.price(contractCustomer(customer.id(), customer.name(), customer.tier(),
                customer.region()), properties.currency(), promo, inputs);
        Quote quote = new Quote(null, customer.id(), customer.name(), customer.tier(), customer.region(),
                properties.currency(), promo, Instant.now().truncatedTo(ChronoUnit.MILLIS), priced.subtotal(),
                priced.adjustmentTotal(), priced.total(), priced.failed() ? Quote.PRICED_WITH_FAILURES : Quote.PRICED,
                priced.lines(), priced.adjustments(), priced.ruleRuns());
        MoneyBounds.requireStorable(quote);   // 422 before the database would refuse it with 500
        return quotes.save(quote);
    }

    public Quote get(long id) {
        return quotes.findById(id)
                .orElseThrow(() -> ApiProblems.notFound("Unknown quote", "No quote has the id " + id + "."));
    }

    public List<Quote> recent() {
        return quotes.findTop50ByOrderByIdDesc();
    }

    /**
     * Prices the stored quote again from what it was priced with (lines, unit prices, customer snapshot,
     * promotion code) with the plugins serving now, and compares. The customer-tier rule asks the database
     * for the customer's tier, so a tier changed since then shows up as a difference too.
     */
    public Recomputation recompute(long id) {
        Quote stored = get(id);
        List<PricingService.LineInput> inputs = stored.lines().stream()
                .map(l -> new PricingService.LineInput(l.sku(), l.name(), l.category(), l.quantity(), l.unitPrice()))
                .toList();
        PricingService.Priced now = pricing.price(contractCustomer(stored.customerId(), stored.customerName(),
                stored.customerTier(), stored.customerRegion()), stored.currency(), stored.promoCode(), inputs);

        List<String> differences = new ArrayList<>();
        List<String> before = stored.adjustments().stream().map(QuoteService::describe).toList();
        List<String> after = now.adjustments().stream().map(QuoteService::describe).toList();
        before.stream().filter(a -> !after.contains(a)).forEach(a -> differences.add("no longer: " + a));
        after.stream().filter(a -> !before.contains(a)).forEach(a -> differences.add("new: " + a));
        if (stored.total().compareTo(now.total()) != 0) {
            differences.add("total " + stored.total().toPlainString() + " → " + now.total().toPlainString());
        }
        Map<String, String> storedVersions = new LinkedHashMap<>();
        stored.ruleRuns().forEach(r -> storedVersions.putIfAbsent(r.pluginId(), r.pluginSha256()));
        Map<String, String> currentVersions = new LinkedHashMap<>();
        now.ruleRuns().forEach(r -> currentVersions.putIfAbsent(r.pluginId(), r.pluginSha256()));
        Set<String> ids = new LinkedHashSet<>(storedVersions.keySet());
        ids.addAll(currentVersions.keySet());
        List<VersionChange> versions = ids.stream()
                .filter(p -> !Objects.equals(storedVersions.get(p), currentVersions.get(p)))
                .map(p -> new VersionChange(p, storedVersions.get(p), currentVersions.get(p)))
                .toList();
        QuoteView recomputed = QuoteView.of(stored, now);
        return new Recomputation(id, differences.isEmpty(), stored.total().toPlainString(), now.total().toPlainString(),
                differences, versions, recomputed);
    }

    private static String describe(Quote.Adjustment a) {
        return "line " + a.lineNo() + " " + a.ruleId() + " " + a.amount().toPlainString() + " (" + a.reason() + ")";
    }

    private static Customer contractCustomer(long id, String name, String tier, String region) {
        return new Customer(String.valueOf(id), name, tier, region);
    }
}
