package dev.graft.benchmarks;

import java.util.Arrays;

/**
 * Times two variants of one operation in alternating slices in one JVM. This machine changes speed by
 * up to 1.6× for seconds at a time; alternating (and swapping which variant goes first each round) lets
 * such swings hit both variants alike, so their ratio holds where separate JMH forks do not.
 */
final class PairedTimer {

    /** Nanoseconds per operation of each variant, one value per round. */
    record Samples(double[] first, double[] second) {

        /** {@code second / first} per round. */
        double[] ratios() {
            double[] r = new double[first.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = second[i] / first[i];
            }
            return r;
        }

        /** {@code second - first} per round, in nanoseconds. */
        double[] differences() {
            double[] d = new double[first.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = second[i] - first[i];
            }
            return d;
        }
    }

    private PairedTimer() {
    }

    /** Runs each variant for {@code slices} slices, so that the JIT has compiled both before timing. */
    static void warmUp(Runnable first, Runnable second, int slices, long sliceNanos) {
        for (int i = 0; i < slices; i++) {
            perOp(first, sliceNanos);
            perOp(second, sliceNanos);
        }
    }

    /** {@code rounds} rounds of one slice per variant, the order swapped every round. */
    static Samples measure(Runnable first, Runnable second, int rounds, long sliceNanos) {
        double[] a = new double[rounds];
        double[] b = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
                a[r] = perOp(first, sliceNanos);
                b[r] = perOp(second, sliceNanos);
            } else {
                b[r] = perOp(second, sliceNanos);
                a[r] = perOp(first, sliceNanos);
            }
        }
        return new Samples(a, b);
    }

    /** Mean nanoseconds per run of {@code op} over one slice of about {@code sliceNanos}. */
    static double perOp(Runnable op, long sliceNanos) {
        long start = System.nanoTime();
        long now;
        long count = 0;
        do {
            op.run();
            count++;
            now = System.nanoTime();
        } while (now - start < sliceNanos);
        return (double) (now - start) / count;
    }

    /** The {@code q} quantile of {@code values}, interpolated linearly. */
    static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double index = q * (sorted.length - 1);
        int low = (int) Math.floor(index);
        int high = (int) Math.ceil(index);
        return sorted[low] + (sorted[high] - sorted[low]) * (index - low);
    }
}
