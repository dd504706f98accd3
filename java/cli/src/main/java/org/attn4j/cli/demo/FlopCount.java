package org.attn4j.cli.demo;

/**
 * The SPEC's way of counting work: a forward pass costs {@code 2 (D + Dv)} floating-point operations per allowed
 * (query, key) pair (one multiply-add per dimension for the score, one for the weighted value).
 */
public final class FlopCount {
    private FlopCount() {
    }

    /** Forward FLOPs for {@code pairs} allowed pairs. */
    public static double forward(int headDim, int valueDim, long pairs) {
        return 2.0 * (headDim + valueDim) * pairs;
    }

    /** FLOPs per second, in units of 10^9. */
    public static double gigaflopsPerSecond(double flops, double seconds) {
        return seconds > 0 ? flops / seconds / 1e9 : Double.NaN;
    }
}
