package dev.graft.samples.contracts;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.math.BigDecimal;

/**
 * What a pricing rule does to a quote line.
 *
 * @param ruleId the rule that made it, e.g. {@code volume-discount}
 * @param amount exact amount in the line's currency, negative for a discount; a JSON string such as
 *     {@code "-12.50"} (plugins write two decimals)
 * @param reason human-readable explanation (any Unicode text)
 */
public record Adjustment(
        String ruleId,
        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amount,
        String reason) {
}
