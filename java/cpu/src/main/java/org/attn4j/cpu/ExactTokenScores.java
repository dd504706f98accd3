package org.attn4j.cpu;

import org.attn4j.mask.TokenScore;

/**
 * The SPEC's token top-k score of one query row ({@link TokenScore}, float64) against any key, and a bound on how
 * far the provider's float score of a pair can be from it. Token top-k ranks by the float64 score; the provider's
 * float scores settle every comparison their error cannot flip, and the few near ties are recomputed exactly here.
 *
 * <p>The float score is {@code sum_c fl(fl(scale32 * q_c) * k_c)} summed in some order. With {@code u = 2^-24},
 * {@code N = ||q|| ||k|| >= sum |q_c k_c|} and {@code S = max(|scale|, |scale32|)}, its distance to the exact
 * {@code scale * dot} is at most {@code |scale32 - scale| N} (the scale rounded to float) plus {@code (D + 2) u S N}
 * (roundings of the products and the sums) plus a few {@code 2^-150} per term where results fall into the subnormal
 * range, plus float64's own rounding, far smaller. {@link #bound} doubles that sum. It holds for finite float
 * scores only: NaN and infinite float scores are always recomputed.
 */
final class ExactTokenScores {
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
     * @param scale32    the scale as the provider applies it (float)
     * @param keys       the head's keys row-major {@code [Nk * D]}, unscaled
     * @param keyNormMax the largest Euclidean norm of those keys
     */
    void prepare(double scale, float scale32, float[] query, float[] keys, int d, double keyNormMax) {
        this.scale = scale;
        this.query = query;
        this.keys = keys;
        this.d = d;
        double queryNorm = 0;
        for (int c = 0; c < d; c++) {
            queryNorm += (double) query[c] * query[c];
        }
        double n = Math.sqrt(queryNorm) * keyNormMax;
        double s = Math.max(Math.abs(scale), Math.abs((double) scale32));
        double scaleRounding = Math.abs((double) scale32 - scale);
        double subnormal = SUBNORMAL_STEP * (Math.sqrt(d) * keyNormMax + 2.0 * d + 2);
        this.bound = 2 * (scaleRounding * n + (d + 4) * 2 * U * s * n + 2 * subnormal);
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
