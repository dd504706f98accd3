package org.attn4j.cpu.fuzz;

import org.attn4j.DType;

/**
 * Whether every value a float32 provider forms for a case stays inside the range of the type that holds it: float32
 * for scores and sums, the output type for O and the gradients (fp16 ends at 65504). Where one may not, the SPEC
 * documents a difference rather than an error ("scores beyond the range of a provider's accumulation type overflow to
 * {@code +-inf} ... the float64 reference overflows later", and likewise the sums formed from them): {@code cpu} may
 * then rightly give {@code +-inf} or NaN where {@code reference} is finite, so such a case is held to the exception
 * rule only. The same holds where a result is stored in fp16 and merely the float32 rounding of its terms exceeds
 * 65504: a gradient that is exactly 0, made of terms of 2^81 (a huge scale), rounds to 1e17 in float32 and to
 * {@code +-inf} in fp16. Everything else, NaN and infinite inputs included, is compared.
 *
 * <p>The test is by bounds, computed in float64 over the finite inputs (a NaN or infinite input gives NaN or
 * {@code +-inf} on both sides alike): every partial sum of a score {@code fl(scale q_c) k_c} of every (query, key)
 * pair, masks ignored, is at most {@code |scale| sum_c |q_c k_c|}; softmax's unnormalised output at most
 * {@code Nk max|V|}, O's terms at most {@code max|V|}; in the backward pass {@code |dP| <= Dv max|dO| max|V|},
 * {@code |dS| <= 2 max|dP|} (every normalizer's weight is at most 1), and dQ, dK, dV sum at most Nk, resp.
 * Nq x group, such terms, times {@code |scale|} for dQ and dK. A margin of 4 covers the roundings of the bounds,
 * and 2^-20 (16 times float32's) the roundings of the terms.
 */
final class FloatRange {
    private static final double FLOAT32 = Float.MAX_VALUE / 4.0;
    private static final double ROUNDING = 0x1p-20;

    private FloatRange() {
    }

    /**
     * Whether the forward pass stays in range: the scaled queries, every score's partial sums, softmax's
     * unnormalised output, and O in its type.
     *
     * @param q {@code [B, Hq, Nq, D]}
     * @param k {@code [B, Hkv, Nk, D]}
     * @param v {@code [B, Hkv, Nk, Dv]}
     */
    static boolean forward(double scale, float[] q, float[] k, float[] v, int batch, int hq, int hkv, int nq,
                           int nk, int d, DType output) {
        double s = Math.abs(scale);
        double maxV = maxFinite(v);
        if (s * maxFinite(q) > FLOAT32 || nk * maxV > FLOAT32 || maxV * ROUNDING > limit(output)) {
            return false;
        }
        int group = hq / hkv;
        for (int bh = 0; bh < batch * hq; bh++) {
            int kvBase = ((bh / hq) * hkv + (bh % hq) / group) * nk * d;
            for (int i = 0; i < nq; i++) {
                int qBase = (bh * nq + i) * d;
                for (int j = 0; j < nk; j++) {
                    int kBase = kvBase + j * d;
                    double magnitude = 0;
                    for (int c = 0; c < d; c++) {
                        double term = Math.abs((double) q[qBase + c] * k[kBase + c]);
                        if (term < Double.POSITIVE_INFINITY) {
                            magnitude += term;
                        }
                    }
                    if (s * magnitude > FLOAT32) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Whether the backward pass's sums (dP, delta, dS, dQ, dK, dV) stay in float32's range, and their roundings in
     * the gradients' type.
     */
    static boolean backward(double scale, float[] q, float[] k, float[] v, float[] dO, int nq, int group, int nk,
                            int dv, DType gradients) {
        double dP = dv * maxFinite(dO) * maxFinite(v);
        double dS = 2 * dP;
        double s = Math.abs(scale);
        double dQ = nk * dS * maxFinite(k);
        double dK = (double) nq * group * dS * maxFinite(q);
        double dV = (double) nq * group * maxFinite(dO);
        double largest = Math.max(Math.max(s * dQ, s * dK), dV);
        return dP <= FLOAT32 && dQ <= FLOAT32 && dK <= FLOAT32 && largest <= FLOAT32
                && largest * ROUNDING <= limit(gradients);
    }

    /** A quarter of the largest finite value of {@code t}. */
    private static double limit(DType t) {
        return t == DType.FP16 ? 65504 / 4.0 : FLOAT32;
    }

    /** The largest magnitude among the finite values of {@code x} (0 if none). */
    static double maxFinite(float[] x) {
        double max = 0;
        for (float f : x) {
            if (Float.isFinite(f)) {
                max = Math.max(max, Math.abs(f));
            }
        }
        return max;
    }
}
