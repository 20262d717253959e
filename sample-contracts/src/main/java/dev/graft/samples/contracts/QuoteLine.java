package dev.graft.samples.contracts;

import com.fasterxml.jackson.annotation.JsonFormat;
import dev.graft.api.OptionalField;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * One line of a quote, as a pricing rule sees it. {@code unitPrice} is exact and travels as a JSON
 * string ({@code "19.99"}), so plugins without a decimal library never see a float.
 *
 * @param sku article number
 * @param name article name (any Unicode text)
 * @param category article category, e.g. {@code food}, {@code books}, {@code hardware}
 * @param quantity units ordered
 * @param unitPrice price of one unit in {@code currency}
 * @param customer who the quote is for
 * @param currency ISO 4217 code, e.g. {@code EUR}
 * @param promoCode a promotion code typed by the customer, or {@code null}
 */
public record QuoteLine(
        String sku,
        String name,
        String category,
        int quantity,
        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal unitPrice,
        Customer customer,
        String currency,
        @OptionalField String promoCode) {

    public QuoteLine {
        Objects.requireNonNull(unitPrice, "unitPrice");
    }

    /** {@code unitPrice × quantity}, exact. */
    public BigDecimal total() {
        return unitPrice.multiply(BigDecimal.valueOf(quantity));
    }
}
