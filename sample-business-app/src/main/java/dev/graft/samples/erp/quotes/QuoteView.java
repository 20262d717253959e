package dev.graft.samples.erp.quotes;

import java.math.BigDecimal;
import java.util.List;

/**
 * A quote as the API shows it. Money is an exact decimal string ({@code "199.90"}).
 *
 * @param failures the rule runs that failed and were answered by the fallback (empty when all ran)
 */
public record QuoteView(Long id, CustomerRef customer, String currency, String promoCode, String createdAt,
        String status, String subtotal, String adjustmentTotal, String total, List<LineView> lines,
        List<FailureView> failures) {

    public record CustomerRef(Long id, String name, String tier, String region) {
    }

    public record LineView(int lineNo, String sku, String name, String category, int quantity, String unitPrice,
            String lineTotal, String adjustmentTotal, String netTotal, List<AdjustmentView> adjustments,
            List<RuleRunView> ruleRuns) {
    }

    public record AdjustmentView(String ruleId, String amount, String reason, String pluginId, String pluginSha256,
            long fuel) {
    }

    /**
     * @param input what the plugin was given, as the host encoded it (the {@code QuoteLine} JSON), or {@code null}
     *     when the call never reached the plugin; stored byte for byte for replay
     * @param hostCalls how many host function calls the plugin made
     */
    public record RuleRunView(String pluginId, String pluginSha256, String outcome, int adjustments, long fuel,
            long elapsedMicros, String errorType, String error, String input, int hostCalls) {
    }

    public record FailureView(int lineNo, String sku, String pluginId, String errorType, String error) {
    }

    static QuoteView of(Quote q) {
        return of(q.id(), q, q.lines(), q.adjustments(), q.ruleRuns(), q.subtotal(), q.adjustmentTotal(), q.total(),
                q.status());
    }

    static QuoteView of(Quote q, PricingService.Priced p) {
        return of(null, q, p.lines(), p.adjustments(), p.ruleRuns(), p.subtotal(), p.adjustmentTotal(), p.total(),
                p.failed() ? Quote.PRICED_WITH_FAILURES : Quote.PRICED);
    }

    private static QuoteView of(Long id, Quote q, List<Quote.Line> lines, List<Quote.Adjustment> adjustments,
            List<Quote.RuleRun> runs, BigDecimal subtotal, BigDecimal adjustmentTotal, BigDecimal total, String status) {
        List<LineView> lineViews = new java.util.ArrayList<>();
        List<FailureView> failures = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i;
            Quote.Line l = lines.get(i);
            List<AdjustmentView> adj = adjustments.stream().filter(a -> a.lineNo() == lineNo)
                    .map(a -> new AdjustmentView(a.ruleId(), money(a.amount()), a.reason(), a.pluginId(),
                            a.pluginSha256(), a.fuel()))
                    .toList();
            List<RuleRunView> lineRuns = runs.stream().filter(r -> r.lineNo() == lineNo)
                    .map(r -> new RuleRunView(r.pluginId(), r.pluginSha256(), r.outcome(), r.adjustments(), r.fuel(),
                            r.elapsedMicros(), r.errorType(), r.error(),
                            r.input() == null ? null : new String(r.input(), java.nio.charset.StandardCharsets.UTF_8),
                            dev.graft.samples.erp.replay.HostCall.fromJson(r.hostCalls()).size()))
                    .toList();
            runs.stream().filter(r -> r.lineNo() == lineNo && !"ok".equals(r.outcome()))
                    .forEach(r -> failures.add(new FailureView(lineNo, l.sku(), r.pluginId(), r.errorType(), r.error())));
            lineViews.add(new LineView(lineNo, l.sku(), l.name(), l.category(), l.quantity(), money(l.unitPrice()),
                    money(l.lineTotal()), money(l.adjustmentTotal()), money(l.netTotal()), adj, lineRuns));
        }
        return new QuoteView(id, new CustomerRef(q.customerId(), q.customerName(), q.customerTier(), q.customerRegion()),
                q.currency(), q.promoCode(), q.createdAt() == null ? null : q.createdAt().toString(), status,
                money(subtotal), money(adjustmentTotal), money(total), lineViews, failures);
    }

    static String money(BigDecimal amount) {
        return amount == null ? null : amount.toPlainString();
    }
}
