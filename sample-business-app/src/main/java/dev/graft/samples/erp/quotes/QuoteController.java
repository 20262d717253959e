package dev.graft.samples.erp.quotes;

import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/quotes}. */
@RestController
@RequestMapping("/api/quotes")
public class QuoteController {

    /** A quote in a list. */
    public record QuoteSummary(Long id, Long customerId, String customerName, String createdAt, int lines,
            String total, String currency, String status) {
    }

    private final QuoteService quotes;

    public QuoteController(QuoteService quotes) {
        this.quotes = quotes;
    }

    @GetMapping
    public List<QuoteSummary> list() {
        return quotes.recent().stream()
                .map(q -> new QuoteSummary(q.id(), q.customerId(), q.customerName(), q.createdAt().toString(),
                        q.lines().size(), q.total().toPlainString(), q.currency(), q.status()))
                .toList();
    }

    @GetMapping("/{id}")
    public QuoteView get(@PathVariable long id) {
        return QuoteView.of(quotes.get(id));
    }

    /** 201 with the priced quote, its adjustments and every rule run. */
    @PostMapping(produces = MediaType.APPLICATION_JSON_VALUE)   // a request that cannot take the answer is refused (406) before it writes
    public ResponseEntity<QuoteView> create(@Valid @RequestBody QuoteRequest request) {
        Quote quote = quotes.create(request);
        return ResponseEntity.created(URI.create("/api/quotes/" + quote.id())).body(QuoteView.of(quote));
    }

    /** Prices the quote again with today's plugins and says whether the result is the same; stores nothing. */
    @PostMapping("/{id}/recompute")
    public QuoteService.Recomputation recompute(@PathVariable long id) {
        return quotes.recompute(id);
    }
}
