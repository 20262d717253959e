package dev.graft.samples.erp.quotes;

import dev.graft.samples.erp.ErpProperties;
import dev.graft.samples.erp.catalog.ProductRepository;
import dev.graft.samples.erp.customers.CustomerRepository;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Prices one quote at startup when the database has none (and {@code erp.demo-quote} is not false), so
 * the first screen shows a quote with each plugin's adjustment. Runs the plugins like any request.
 */
@Component
public class DemoQuote implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(DemoQuote.class);

    private final QuoteRepository quotes;
    private final QuoteService service;
    private final CustomerRepository customers;
    private final ProductRepository products;
    private final ErpProperties properties;

    public DemoQuote(QuoteRepository quotes, QuoteService service, CustomerRepository customers,
            ProductRepository products, ErpProperties properties) {
        this.quotes = quotes;
        this.service = service;
        this.customers = customers;
        this.products = products;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!properties.demoQuote() || quotes.count() > 0) {
            return;
        }
        var customer = customers.findAllByOrderByIdAsc().stream().findFirst();
        if (customer.isEmpty() || products.findBySku("CAFE-1KG").isEmpty() || products.findBySku("DESK-OAK").isEmpty()) {
            return;
        }
        try {
            Quote quote = service.create(new QuoteRequest(customer.get().id(), "SPRING10", List.of(
                    new QuoteRequest.LineRequest("CAFE-1KG", 10), new QuoteRequest.LineRequest("DESK-OAK", 1))));
            log.info("Priced demo quote {} for {}: total {} {}", quote.id(), quote.customerName(),
                    quote.total().toPlainString(), quote.currency());
        } catch (RuntimeException e) {
            log.warn("Could not price the demo quote: {}", e.getMessage());
        }
    }
}
