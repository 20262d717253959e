package dev.graft.samples.erp.catalog;

import java.math.BigDecimal;
import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * An article that can be quoted.
 *
 * @param sku the stock-keeping unit: {@link #SKU_RULE}
 */
@Table("products")
public record Product(@Id Long id, String sku, String name, String category, BigDecimal listPrice) {

    /** The form of a SKU, as a regular expression. */
    public static final String SKU_PATTERN = "[A-Z0-9][A-Z0-9._-]{0,63}";

    /** The form of a SKU, in words. */
    public static final String SKU_RULE = "must be 1 to 64 characters A-Z, 0-9, '.', '_' or '-', starting with a letter or digit (e.g. CAFE-1KG)";
}
