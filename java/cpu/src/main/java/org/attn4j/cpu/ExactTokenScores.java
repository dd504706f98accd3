package org.attn4j.cpu;

import org.attn4j.mask.TokenScore;

/**
 * The SPEC's token top-k score of one query row ({@link TokenScore}, float64) against any key, and a bound on how
 * far the provider's float score of a pair can be from it. Token top-k ranks by the float64 score; the provider's
 * float scores settle every comparison their error cannot flip, and the few near ties are recomputed exactly here.
 *
 * <p>The float score is {@code sum_c fl(fl(scale * q_c) * k_c)} summed in some order, or the same products fused
 * into a chain of multiply-adds (one rounding fewer per term; {@link Kernels#scaleQuery}: the scale is applied in
 * double and rounded once). With {@code u = 2^-24}, {@code N = ||q|| ||k|| >= sum |q_c k_c|}
 * and {@code S = |scale|}, its distance to the exact {@code scale * dot} is at most {@code (D + 2) u S N} (roundings
 * of the scaled queries, the products and the sums) plus a few {@code 2^-150 |k_c|} and {@code 2^-150} per term
 * where results fall into the subnormal range (a scaled query below it is rounded to {@code +-2^-149}), plus
 * float64's own rounding, far smaller. {@link #bound} doubles that sum. It holds for finite float scores only: NaN
 * and infinite float scores are always recomputed.
 */
public final class ExactTokenScores {
    private static final double U = 0x1p-24;
    private static final double SUBNORMAL_STEP = 0x1p-150;

    private double scale;
    private float[] query;
    private float[] keys;
    private int d;
    /** Largest distance between a finite float score of this row and its exact score (may be infinite). */
    double bound;

    /**
     * Prepares row {@code query} (unscaled, length >= d).
     *
     * @param scale      the request's scale
     * @param keys       the head's keys row-major {@code [Nk * D]}, unscaled
     * @param keyNormMax the largest Euclidean norm of those keys
     */
    void prepare(double scale, float[] query, float[] keys, int d, double keyNormMax) {
        this.scale = scale;
        this.query = query;
        this.keys = keys;
        this.d = d;
        this.bound = bound(scale, query, d, keyNormMax);
    }

    /**
     * The largest distance between a finite float score of the unscaled query {@code query} (its first {@code d}
     * values) against a key of norm at most {@code keyNormMax} and its exact score (may be infinite).
     */
    public static double bound(double scale, float[] query, int d, double keyNormMax) {
        double queryNorm = 0;
        for (int c = 0; c < d; c++) {
            queryNorm += (double) query[c] * query[c];
        }
        double n = Math.sqrt(queryNorm) * keyNormMax;
        double s = Math.abs(scale);
        // sum_c 2^-149 |k_c| <= 2^-149 sqrt(D) ||k|| for the scaled queries, 2^-150 per product and sum.
        double subnormal = SUBNORMAL_STEP * (2 * Math.sqrt(d) * keyNormMax + 2.0 * d + 2);
        return 2 * ((d + 4) * 2 * U * s * n + 2 * subnormal);
    }

    /** The exact score of key {@code j}. */
    double exact(int j) {
        return TokenScore.exact(scale, query, 0, keys, j * d, d);
    }

    /** The largest Euclidean norm of the {@code nk} rows of {@code keys} ({@code [nk * d]}). */
    static double keyNormMax(float[] keys, int nk, int d) {
        double max = 0;
        for (int j = 0; j < nk; j++) {
            double sum = 0;
            for (int c = 0; c < d; c++) {
                double x = keys[j * d + c];
                sum += x * x;
            }
            max = Math.max(max, sum);
        }
        return Math.sqrt(max);
    }
}
