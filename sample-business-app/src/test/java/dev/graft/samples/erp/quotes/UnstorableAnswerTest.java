package dev.graft.samples.erp.quotes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.api.PluginCodecException;
import dev.graft.api.PluginException;
import dev.graft.samples.contracts.Adjustment;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A plugin's typed answer that the quote tables cannot hold is refused by name, not stored into a 500. */
class UnstorableAnswerTest {

    private static Adjustment adjustment(String ruleId, String amount) {
        return new Adjustment(ruleId, new BigDecimal(amount), "reason");
    }

    @Test
    void aFittingAnswerIsStored() {
        assertThat(PricingService.unstorable("rule", List.of(adjustment("r".repeat(100), "-12.50"),
                adjustment("x", "99999999999999999.99")))).isNull();
    }

    @Test
    void aRuleIdWiderThanItsColumnIsRefused() {
        PluginException e = PricingService.unstorable("wide", List.of(adjustment("ok", "1.00"),
                adjustment("r".repeat(101), "1.00")));
        assertThat(e).isInstanceOf(PluginCodecException.class);
        assertThat(e.getMessage()).contains("plugin 'wide'", "apply_rule", "$[1]", "ruleId", "100", "101 characters");
    }

    @Test
    void aMissingRuleIdIsRefused() {
        assertThat(PricingService.unstorable("p", List.of(adjustment(null, "1.00"))).getMessage())
                .contains("ruleId", "absent");
    }

    @Test
    void anAmountPastTheMoneyColumnIsRefused() {
        assertThat(PricingService.unstorable("big", List.of(adjustment("x", "1E+17"))).getMessage())
                .contains("plugin 'big'", "amount exceeds", MoneyBounds.MAX.toPlainString());
        assertThat(PricingService.unstorable("big", List.of(adjustment("x", "-1E+999999999")))).isNotNull();
    }

    @Test
    void anAmountWithTooManyDecimalsIsRefusedBeforeRounding() {
        // Rounding 1E-999999999 to cents would divide by 10^999999997: refused by its scale first.
        assertThat(PricingService.unstorable("tiny", List.of(adjustment("x", "1E-999999999"))).getMessage())
                .contains("999999999 decimals", "at most 10");
    }
}
