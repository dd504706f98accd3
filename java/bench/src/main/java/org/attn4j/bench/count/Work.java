package org.attn4j.bench.count;

/**
 * The work of one timed call, counted as the SPEC says: forward FLOPs {@code 2 (D + Dv) P}, backward 2.5 times the
 * forward; density is {@code P} over the dense count {@code B Hq Nq Nk}; dense-equivalent FLOPs are what the dense
 * problem would count.
 */
public record Work(long allowedPairs, long densePairs, double flops, double denseFlops) {

    /** Backward FLOPs per forward FLOP (FlashAttention's convention: two matmuls forward, five backward). */
    public static final double BACKWARD_FACTOR = 2.5;

    public static Work of(long allowedPairs, long densePairs, int headDim, int valueDim, boolean backward) {
        if (allowedPairs < 0 || allowedPairs > densePairs) {
            throw new IllegalArgumentException("allowedPairs: expected 0.." + densePairs + ", got " + allowedPairs);
        }
        double factor = 2.0 * (headDim + valueDim) * (backward ? BACKWARD_FACTOR : 1.0);
        return new Work(allowedPairs, densePairs, factor * allowedPairs, factor * densePairs);
    }

    /** {@code P / (B Hq Nq Nk)}. */
    public double density() {
        return densePairs == 0 ? 0 : (double) allowedPairs / densePairs;
    }

    /** TFLOP/s for a call of {@code millis}. */
    public double tflops(double millis) {
        return flops / (millis * 1e-3) / 1e12;
    }

    /** Dense-equivalent TFLOP/s: the dense problem's FLOPs over the measured time. */
    public double denseEquivalentTflops(double millis) {
        return denseFlops / (millis * 1e-3) / 1e12;
    }
}
