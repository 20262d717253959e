package dev.graft.benchmarks;

import dev.graft.samples.contracts.Adjustment;
import dev.graft.samples.contracts.QuoteLine;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * The volume-discount rule in plain Java, ported line by line from
 * {@code sample-plugins/volume-discount/src/lib.rs}: the baseline the plugin is measured against.
 * {@code QuickBenchmarkTest} checks that it answers exactly as the plugin does.
 */
public final class VolumeDiscountRule {

    /** (minimum quantity, percent), highest first. */
    private static final int[][] TIERS = {{100, 15}, {50, 10}, {10, 5}};

    private VolumeDiscountRule() {
    }

    public static List<Adjustment> apply(QuoteLine line) {
        for (int[] tier : TIERS) {
            int min = tier[0];
            int percent = tier[1];
            if (line.quantity() >= min) {
                // discount = -(unitPrice × quantity × percent / 100), rounded half-up to cents
                BigDecimal amount = line.unitPrice().multiply(BigDecimal.valueOf(line.quantity()))
                        .multiply(BigDecimal.valueOf(percent, 2))
                        .setScale(2, RoundingMode.HALF_UP)
                        .negate();
                if (amount.signum() == 0) {
                    return List.of();
                }
                String reason = "Volume discount " + percent + "% for " + min + "+ units: " + line.quantity() + " × "
                        + line.name();
                return List.of(new Adjustment("volume-discount", amount, reason));
            }
        }
        return List.of();
    }
}
