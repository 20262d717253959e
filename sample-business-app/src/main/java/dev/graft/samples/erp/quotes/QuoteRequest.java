package dev.graft.samples.erp.quotes;

import dev.graft.samples.erp.web.PlainText;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * {@code POST /api/quotes}: a customer and lines of SKU and quantity.
 *
 * @param promoCode a promotion code, or null
 */
public record QuoteRequest(
        @NotNull Long customerId,
        @Size(max = 64) @PlainText String promoCode,
        @NotEmpty @Size(max = QuoteRequest.MAX_LINES) List<@NotNull @Valid LineRequest> lines) {

    public static final int MAX_LINES = 50;
    public static final int MAX_QUANTITY = 100_000;

    public record LineRequest(
            @NotBlank @Size(max = 64) @PlainText String sku,
            @NotNull @Min(1) @Max(MAX_QUANTITY) Integer quantity) {
    }
}
