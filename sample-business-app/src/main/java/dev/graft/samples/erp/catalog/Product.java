package dev.graft.samples.erp.catalog;

import java.math.BigDecimal;
import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/** An article that can be quoted. */
@Table("products")
public record Product(@Id Long id, String sku, String name, String category, BigDecimal listPrice) {
}
