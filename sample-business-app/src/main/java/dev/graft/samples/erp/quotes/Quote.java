package dev.graft.samples.erp.quotes;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Column;
import org.springframework.data.relational.core.mapping.MappedCollection;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A priced quote: what it was priced from (a snapshot of the customer and of each line's unit price),
 * the result, each adjustment a pricing rule made, and every pricing-rule call (the plugin and module
 * digest that ran, its fuel, its outcome), so any price can be explained and recomputed.
 *
 * @param status {@code PRICED}, or {@code PRICED_WITH_FAILURES} when a rule failed and its extension
 *     point's failure policy fell back to the default (no adjustment from that rule)
 */
@Table("quotes")
public record Quote(
        @Id Long id,
        Long customerId,
        String customerName,
        String customerTier,
        String customerRegion,
        String currency,
        String promoCode,
        Instant createdAt,
        BigDecimal subtotal,
        BigDecimal adjustmentTotal,
        BigDecimal total,
        String status,
        @MappedCollection(idColumn = "quote_id", keyColumn = "list_index") List<Line> lines,
        @MappedCollection(idColumn = "quote_id", keyColumn = "list_index") List<Adjustment> adjustments,
        @MappedCollection(idColumn = "quote_id", keyColumn = "list_index") List<RuleRun> ruleRuns) {

    public static final String PRICED = "PRICED";
    public static final String PRICED_WITH_FAILURES = "PRICED_WITH_FAILURES";

    /** One line: the unit price it was priced with, its total, and the sum of its adjustments. */
    @Table("quote_lines")
    public record Line(String sku, String name, String category, int quantity, BigDecimal unitPrice,
            BigDecimal lineTotal, BigDecimal adjustmentTotal, BigDecimal netTotal) {
    }

    /**
     * One adjustment a pricing rule made to a line.
     *
     * @param lineNo index of the line in {@link Quote#lines()}, from 0
     * @param pluginSha256 digest of the module that made it (the plugin's version)
     * @param fuel fuel of the call that made it
     */
    @Table("quote_adjustments")
    public record Adjustment(int lineNo, String pluginId, String pluginSha256, String ruleId, BigDecimal amount,
            String reason, long fuel) {
    }

    /**
     * One call of a pricing rule for one line.
     *
     * @param outcome {@code ok}, or {@code fallback} when the call failed and the default answered
     * @param fuel fuel consumed, -1 when unknown (the call never reached the engine)
     * @param errorType the {@code PluginException} subclass when the call failed
     * @param input the exact bytes the host encoded for the call (the {@code QuoteLine} as JSON), or
     *     {@code null} when the call never reached the plugin or was stored before replay was recorded; for a
     *     WebAssembly component, whose values cross without bytes the host encodes, the {@code QuoteLine} in
     *     the same JSON ({@link dev.graft.samples.erp.replay.ComponentValues})
     * @param output the exact bytes the plugin answered, or {@code null} when it answered nothing; for a
     *     component, its answer in the codec's JSON
     * @param hostCalls the host functions the plugin called during the call, in order, with what they were
     *     given and answered ({@link dev.graft.samples.erp.replay.HostCall#toJson}); {@code null} for none
     */
    @Table("quote_rule_runs")
    public record RuleRun(int lineNo, String pluginId, String pluginSha256, String outcome, int adjustments,
            long fuel, long elapsedMicros, String errorType, String error,
            @Column("input_bytes") byte[] input, @Column("output_bytes") byte[] output, String hostCalls) {
    }
}
