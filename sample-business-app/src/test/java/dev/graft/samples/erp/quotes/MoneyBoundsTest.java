package dev.graft.samples.erp.quotes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.web.ErrorResponseException;

/** The money columns' bounds: NUMERIC(19, 2) holds up to 10^17 - 0.01, after rounding half up to cents. */
class MoneyBoundsTest {

    @Test
    void theLargestAmountFitsAndTheNextCentDoesNot() {
        assertThat(MoneyBounds.MAX).isEqualByComparingTo("99999999999999999.99");
        assertThat(MoneyBounds.fits(new BigDecimal("99999999999999999.99"))).isTrue();
        assertThat(MoneyBounds.fits(new BigDecimal("-99999999999999999.99"))).isTrue();
        assertThat(MoneyBounds.fits(new BigDecimal("99999999999999999.994"))).isTrue();   // rounds down to MAX
        assertThat(MoneyBounds.fits(new BigDecimal("99999999999999999.995"))).isFalse();  // rounds up past it
        assertThat(MoneyBounds.fits(new BigDecimal("100000000000000000"))).isFalse();
    }

    @Test
    void extremeExponentsAreJudgedWithoutExpandingThem() {
        long started = System.nanoTime();
        assertThat(MoneyBounds.fits(new BigDecimal("1E+999999999"))).isFalse();
        assertThat(MoneyBounds.fits(new BigDecimal("1E-999999999"))).isTrue();
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms").isLessThan(1_000);
    }

    @Test
    void aQuoteIsRefusedNamingTheFirstAmountThatDoesNotFit() {
        BigDecimal big = new BigDecimal("60000000000000000.00");
        Quote.Line line = new Quote.Line("BIG-1", "Big", "c", 1, big, big, BigDecimal.ZERO, big);
        Quote quote = new Quote(null, 1L, "n", "gold", "DE", "EUR", null, Instant.now(), big.add(big), BigDecimal.ZERO,
                big.add(big), Quote.PRICED, List.of(line, line), List.of(), List.of());
        assertThatThrownBy(() -> MoneyBounds.requireStorable(quote))
                .isInstanceOfSatisfying(ErrorResponseException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(422);
                    assertThat(e.getBody().getProperties()).containsEntry("field", "subtotal")
                            .containsEntry("value", "120000000000000000.00");
                });
        Quote fits = new Quote(null, 1L, "n", "gold", "DE", "EUR", null, Instant.now(), big, BigDecimal.ZERO, big,
                Quote.PRICED, List.of(line), List.of(), List.of());
        MoneyBounds.requireStorable(fits);
    }
}
