package dev.graft.samples.erp.quotes;

import dev.graft.api.DefaultExtension;
import dev.graft.samples.contracts.Adjustment;
import dev.graft.samples.contracts.PricingRule;
import dev.graft.samples.contracts.QuoteLine;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * What a pricing rule answers when its plugin fails and {@code graft.extension-point-policies.pricing-rule.on-failure}
 * is {@code fallback}: no adjustment. The quote records the failure (see {@link PricingService}). Never
 * answers for a required rule: those fail closed.
 */
@Component
@DefaultExtension
public class NoAdjustments implements PricingRule {

    private final PluginCallTracker tracker;

    public NoAdjustments(PluginCallTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public List<Adjustment> apply(QuoteLine line) {
        tracker.markFallback();
        return List.of();
    }
}
