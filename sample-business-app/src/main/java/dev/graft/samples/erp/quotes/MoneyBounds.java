package dev.graft.samples.erp.quotes;

import dev.graft.samples.erp.web.ApiProblems;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * The money columns' bounds ({@code NUMERIC(19, 2)}: at most 17 digits before the point), checked before a
 * quote is saved, so that a quote whose amounts do not fit is refused with 422 naming the amount instead
 * of failing in the database with 500. Amounts come from valid input (100,000 × a 15-digit list price,
 * summed over 50 lines) and from the pricing rules' answers, so the bounds cannot be checked on the
 * request alone.
 */
final class MoneyBounds {

    /** The precision and scale of the money columns (V1__schema.sql). */
    static final int PRECISION = 19;
    static final int SCALE = 2;

    /** The largest amount a money column holds: 10^17 - 0.01. */
    static final BigDecimal MAX = BigDecimal.TEN.pow(PRECISION - SCALE).subtract(new BigDecimal("0.01"));

    /** The smallest absolute amount that rounds (half up, to cents) past {@link #MAX}. */
    private static final BigDecimal ROUNDS_OVER = MAX.add(new BigDecimal("0.005"));

    private MoneyBounds() {
    }

    /** Throws a 422 problem naming the first amount of {@code quote} that a money column cannot store. */
    static void requireStorable(Quote quote) {
        for (int i = 0; i < quote.lines().size(); i++) {
            Quote.Line line = quote.lines().get(i);
            check("lines[" + i + "].unitPrice", line.unitPrice());
            check("lines[" + i + "].lineTotal", line.lineTotal());
            check("lines[" + i + "].adjustmentTotal", line.adjustmentTotal());
            check("lines[" + i + "].netTotal", line.netTotal());
        }
        for (Quote.Adjustment a : quote.adjustments()) {
            check("lines[" + a.lineNo() + "].adjustments[" + a.ruleId() + "].amount", a.amount());
        }
        check("subtotal", quote.subtotal());
        check("adjustmentTotal", quote.adjustmentTotal());
        check("total", quote.total());
    }

    /** Whether {@code amount}, rounded half up to cents, fits; without rounding it (cheap for any exponent). */
    static boolean fits(BigDecimal amount) {
        return amount.abs().compareTo(ROUNDS_OVER) < 0;
    }

    private static void check(String field, BigDecimal amount) {
        if (amount == null || fits(amount)) {
            return;
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("field", field);
        properties.put("value", amount.toPlainString());
        properties.put("max", MAX.toPlainString());
        throw ApiProblems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Amount out of range",
                field + " would be " + amount.toPlainString() + ", more than a quote can store (at most "
                        + MAX.toPlainString() + " in absolute value); nothing was saved.", properties);
    }
}
