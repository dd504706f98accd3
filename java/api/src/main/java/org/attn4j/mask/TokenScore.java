package org.attn4j.mask;

/**
 * The score token top-k ranks by (SPEC): {@code scale * dot(q, k)} in float64, the products of the (float) inputs
 * summed in index order, then multiplied by the scale. Products of two floats are exact in float64, so the value
 * does not depend on a provider's own precision; a provider that computes scores in float32 ranks by this value
 * wherever its own scores could differ (the {@code cpu} provider recomputes the near ties this way).
 */
public final class TokenScore {
    private TokenScore() {
    }

    /** {@code scale * sum_c q[qOffset + c] * k[kOffset + c]} for {@code c < d}, in float64. */
    public static double exact(double scale, float[] q, int qOffset, float[] k, int kOffset, int d) {
        double dot = 0;
        for (int c = 0; c < d; c++) {
            dot += (double) q[qOffset + c] * k[kOffset + c];
        }
        return scale * dot;
    }
}
