package org.attn4j.conformance;

import org.attn4j.Normalizer;

/**
 * The scale a gradient is measured against: the same sums as dQ, dK and dV with every term taken in absolute value,
 * so nothing cancels. For a peaked softmax the gradient itself is tiny ({@code dS = p (dP - delta)} with
 * {@code dP ~ delta}), while float32 arithmetic errs in proportion to the terms it subtracts; relative to the
 * gradient's own norm a correct float32 provider could be off by 30% there. Relative to these magnitudes the error
 * of a correct provider stays a small multiple of its precision whatever the data, and a wrong gradient still shows:
 * on unpeaked rows the magnitudes are within a few times the gradient's norm.
 *
 * <p>Per row, with weights {@code p} (the reference's probabilities; zero where a key is masked, dropped or outside a
 * sparse support) and {@code dP_j = dO . V_j}: softmax {@code |dS_j| <= p_j (|dP_j| + sum_l p_l |dP_l|)}, sparsemax
 * {@code |dP_j| + mean |dP|} over the support, entmax-1.5 {@code g_j |dP_j| + g_j sum_l g_l |dP_l| / sum g} with
 * {@code g = sqrt(p)}; then {@code |scale| sum_j |dS_ij| |K_j|} for dQ, {@code |scale| sum_i |dS_ij| |Q_i|} for dK,
 * {@code sum_i p_ij |dO_i|} for dV, component by component.
 */
final class GradientScale {
    private GradientScale() {
    }

    /** Magnitudes of dQ, dK and dV (shapes as Q, K, V) for scenario {@code s} with reference probabilities. */
    static float[][] of(Scenario s, ScenarioData data, float[] probabilities, double scale) {
        int d = s.headDim;
        int dv = s.valueDim;
        int nq = s.queryLength;
        int nk = s.keyLength;
        int group = s.queryHeads / s.kvHeads;
        double[] mq = new double[data.q.length];
        double[] mk = new double[data.k.length];
        double[] mv = new double[data.v.length];
        double[] dp = new double[nk];
        double[] ds = new double[nk];
        for (int b = 0; b < s.batch; b++) {
            for (int h = 0; h < s.queryHeads; h++) {
                int bh = b * s.queryHeads + h;
                int kvBase = (b * s.kvHeads + h / group) * nk;
                for (int i = 0; i < nq; i++) {
                    int row = bh * nq + i;
                    int pBase = row * nk;
                    for (int j = 0; j < nk; j++) {
                        double pj = probabilities[pBase + j];
                        double acc = 0;
                        if (pj != 0) {
                            for (int c = 0; c < dv; c++) {
                                acc += Math.abs((double) data.gradOutput[row * dv + c] * data.v[(kvBase + j) * dv + c]);
                            }
                        }
                        dp[j] = acc;
                    }
                    scoreMagnitudes(s.normalizer, probabilities, pBase, nk, dp, ds);
                    for (int j = 0; j < nk; j++) {
                        double pj = probabilities[pBase + j];
                        if (pj == 0) {
                            continue;
                        }
                        double w = Math.abs(scale) * ds[j];
                        int kRow = (kvBase + j) * d;
                        for (int c = 0; c < d; c++) {
                            mq[row * d + c] += w * Math.abs(data.k[kRow + c]);
                            mk[kRow + c] += w * Math.abs(data.q[row * d + c]);
                        }
                        int vRow = (kvBase + j) * dv;
                        for (int c = 0; c < dv; c++) {
                            mv[vRow + c] += Math.abs(pj * data.gradOutput[row * dv + c]);
                        }
                    }
                }
            }
        }
        return new float[][] {toFloat(mq), toFloat(mk), toFloat(mv)};
    }

    /** {@code |dS_j|}'s bound for one row from {@code |dP|} (zero where p is zero). */
    private static void scoreMagnitudes(Normalizer normalizer, float[] p, int base, int n, double[] dp, double[] ds) {
        double weighted = 0;
        double weights = 0;
        for (int j = 0; j < n; j++) {
            double pj = p[base + j];
            if (pj == 0) {
                continue;
            }
            double w = normalizer == Normalizer.SOFTMAX ? pj : normalizer == Normalizer.SPARSEMAX ? 1 : Math.sqrt(pj);
            weighted += w * dp[j];
            weights += w;
        }
        double rowTerm = normalizer == Normalizer.SOFTMAX ? weighted : weights > 0 ? weighted / weights : 0;
        for (int j = 0; j < n; j++) {
            double pj = p[base + j];
            double w = pj == 0 ? 0
                    : normalizer == Normalizer.SOFTMAX ? pj : normalizer == Normalizer.SPARSEMAX ? 1 : Math.sqrt(pj);
            ds[j] = w * (dp[j] + rowTerm);
        }
    }

    private static float[] toFloat(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }
}
