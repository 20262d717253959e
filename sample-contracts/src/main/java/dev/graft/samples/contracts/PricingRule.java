package dev.graft.samples.contracts;

import dev.graft.api.Export;
import dev.graft.api.ExtensionPoint;
import java.util.List;

/**
 * A pricing rule: given one quote line, the adjustments it makes (none, one or more). Discounts are
 * negative amounts, surcharges such as tax positive. The sample plugins {@code volume-discount},
 * {@code customer-tier}, {@code promo-codes} and {@code regional-tax} implement it; the JSON shapes
 * are documented in {@code sample-plugins/README.md}.
 */
@ExtensionPoint(id = "pricing-rule", version = "1")
public interface PricingRule {

    @Export("apply_rule")
    List<Adjustment> apply(QuoteLine line);
}
