package dev.graft.benchmarks;

import java.nio.charset.StandardCharsets;

/**
 * The fractal tree in plain Java, ported exactly from {@code sample-plugins/fractal-tree/src/tree.rs}
 * (splitmix64 seeded by FNV-1a, the Taylor-series sine and cosine, the two-decimal formatting), so its
 * SVG bytes equal the plugin's ({@code QuickBenchmarkTest} checks this).
 */
public final class FractalTree {

    public static final int MAX_DEPTH = 20;
    private static final double PI = 3.141_592_653_589_793;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final int depth;
    private long rng;
    private final StringBuilder[] paths;
    private double minX;
    private double minY;
    private double maxX;
    private double maxY;

    private FractalTree(String seed, int depth) {
        this.depth = depth;
        long h = 0xcbf2_9ce4_8422_2325L;
        for (byte b : seed.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xffL;
            h *= 0x0000_0100_0000_01b3L;
        }
        this.rng = h;
        this.paths = new StringBuilder[depth];
        for (int i = 0; i < depth; i++) {
            paths[i] = new StringBuilder();
        }
    }

    /** The SVG of a tree as UTF-8 bytes, as the plugin's {@code render_tree} returns them. */
    public static byte[] render(String seed, int depth, double trunkLength) {
        validate(depth, trunkLength);
        return renderSvg(seed, depth, trunkLength).getBytes(StandardCharsets.UTF_8);
    }

    static void validate(long depth, double trunkLength) {
        if (depth < 1 || depth > MAX_DEPTH) {
            throw new IllegalArgumentException("depth must be between 1 and " + MAX_DEPTH + ", was " + depth);
        }
        if (!(trunkLength > 0.0 && trunkLength <= 10_000.0)) {
            throw new IllegalArgumentException("trunkLength must be greater than 0 and at most 10000");
        }
    }

    static String renderSvg(String seed, int depth, double trunkLength) {
        FractalTree t = new FractalTree(seed, depth);
        t.branch(0.0, 0.0, -90.0, trunkLength, 0);
        double pad = depth * 1.5;
        StringBuilder svg = new StringBuilder(64 * (1 << Math.min(depth, 16)));
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"");
        pushFixed2(svg, t.minX - pad);
        svg.append(' ');
        pushFixed2(svg, t.minY - pad);
        svg.append(' ');
        pushFixed2(svg, t.maxX - t.minX + 2.0 * pad);
        svg.append(' ');
        pushFixed2(svg, t.maxY - t.minY + 2.0 * pad);
        svg.append("\" fill=\"none\" stroke-linecap=\"round\">\n");
        for (int level = 0; level < depth; level++) {
            // Black (#000000) at the trunk to green (#008000) at the leaves.
            int g = depth == 1 ? 0 : (128 * level + (depth - 1) / 2) / (depth - 1);
            svg.append("<path stroke=\"#00");
            svg.append((char) HEX[g >> 4]);
            svg.append((char) HEX[g & 15]);
            svg.append("00\" stroke-width=\"");
            pushFixed2(svg, (depth - level) * 1.5);
            svg.append("\" d=\"");
            svg.append(t.paths[level]);
            svg.append("\"/>\n");
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private long nextU64() {
        rng += 0x9e37_79b9_7f4a_7c15L;
        long z = rng;
        z = (z ^ (z >>> 30)) * 0xbf58_476d_1ce4_e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d0_49bb_1331_11ebL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [-0.5, 0.5). */
    private double centered() {
        return (double) (nextU64() >>> 11) * (1.0 / 9_007_199_254_740_992.0) - 0.5;
    }

    /** sin and cos of an angle in degrees: reduced to [-180, 180], then a Taylor series. */
    private static void sinCosDeg(double deg, double[] out) {
        double d = deg;
        while (d > 180.0) {
            d -= 360.0;
        }
        while (d < -180.0) {
            d += 360.0;
        }
        double x = d * (PI / 180.0);
        double x2 = x * x;
        double s = 0.0;
        double c = 0.0;
        double ts = x;
        double tc = 1.0;
        double k = 1.0;
        for (int i = 0; i < 16; i++) {
            s += ts;
            c += tc;
            ts *= -x2 / ((k + 1.0) * (k + 2.0));
            tc *= -x2 / (k * (k + 1.0));
            k += 2.0;
        }
        out[0] = s;
        out[1] = c;
    }

    /** Appends {@code v} with exactly two decimals (half away from zero), e.g. {@code -12.50}. */
    static void pushFixed2(StringBuilder out, double v) {
        double scaled = v * 100.0;
        double r = scaled < 0.0 ? -Math.floor(-scaled + 0.5) : Math.floor(scaled + 0.5);
        long n = (long) r;
        if (n < 0) {
            out.append('-');
        }
        long a = n < 0 ? -n : n; // as u64: Long.MIN_VALUE stays its unsigned self
        out.append(Long.toUnsignedString(Long.divideUnsigned(a, 100)));
        out.append('.');
        out.append((char) ('0' + Long.remainderUnsigned(Long.divideUnsigned(a, 10), 10)));
        out.append((char) ('0' + Long.remainderUnsigned(a, 10)));
    }

    private void see(double x, double y) {
        if (x < minX) {
            minX = x;
        }
        if (x > maxX) {
            maxX = x;
        }
        if (y < minY) {
            minY = y;
        }
        if (y > maxY) {
            maxY = y;
        }
    }

    /** Draws one branch, then (below the last level) its left and right children, depth-first. */
    private void branch(double x, double y, double angle, double length, int level) {
        double[] sc = new double[2];
        sinCosDeg(angle, sc);
        double x2 = x + sc[1] * length;
        double y2 = y + sc[0] * length;
        see(x2, y2);
        StringBuilder p = paths[level];
        p.append(p.length() == 0 ? "M" : " M");
        pushFixed2(p, x);
        p.append(' ');
        pushFixed2(p, y);
        p.append('L');
        pushFixed2(p, x2);
        p.append(' ');
        pushFixed2(p, y2);
        if (level + 1 < depth) {
            // Draw order per split: the shared angle change, then the left and the right length change.
            double turn = centered() * 35.0;
            double leftLen = length * 0.8 + centered() * 25.0;
            double rightLen = length * 0.8 + centered() * 25.0;
            branch(x2, y2, angle - 20.0 + turn, leftLen < 0.0 ? 0.0 : leftLen, level + 1);
            branch(x2, y2, angle + 20.0 + turn, rightLen < 0.0 ? 0.0 : rightLen, level + 1);
        }
    }
}
