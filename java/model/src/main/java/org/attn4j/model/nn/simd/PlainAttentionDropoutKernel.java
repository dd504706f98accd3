package org.attn4j.model.nn.simd;

import java.util.Arrays;
import org.attn4j.model.nn.Bf16;

/**
 * {@link AttentionDropoutKernel} in plain Java, the order of operations every implementation keeps: per row {@code i}
 * the keys {@code j} in ascending order; each dot product {@code dO_i . V_j} summed over the head's columns in
 * ascending order from 0; the row's {@code sum_l P_il dP_il} in double.
 */
public final class PlainAttentionDropoutKernel implements AttentionDropoutKernel {
    @Override
    public void forward(float[] probs, float[] mask, float[] v, float[] dropped, float[] out, int lo, int hi, int t,
                        int dh, boolean bf16) {
        for (int g = lo; g < hi; g++) {
            int po = g * t * t;
            int vo = g * t * dh;
            for (int i = 0; i < t; i++) {
                int row = po + i * t;
                int oo = vo + i * dh;
                Arrays.fill(out, oo, oo + dh, 0f);
                for (int j = 0; j <= i; j++) {
                    float w = droppedWeight(probs, mask, row + j, bf16);
                    dropped[row + j] = w;
                    if (w == 0f) {
                        continue;
                    }
                    int jo = vo + j * dh;
                    for (int c = 0; c < dh; c++) {
                        out[oo + c] += w * v[jo + c];
                    }
                }
                Arrays.fill(dropped, row + i + 1, row + t, 0f);
            }
        }
    }

    static float droppedWeight(float[] probs, float[] mask, int at, boolean bf16) {
        float w = probs[at] * mask[at];
        return bf16 ? Bf16.round(w) : w;
    }

    @Override
    public void backward(float[] probs, float[] mask, float[] dropped, float[] q, float[] k, float[] v, float[] dOut,
                         float scale, float[] dq, float[] dk, float[] dv, int lo, int hi, int t, int dh) {
        float[] dS = new float[t];
        for (int g = lo; g < hi; g++) {
            int po = g * t * t;
            int vo = g * t * dh;
            Arrays.fill(dq, vo, vo + t * dh, 0f);
            Arrays.fill(dk, vo, vo + t * dh, 0f);
            Arrays.fill(dv, vo, vo + t * dh, 0f);
            for (int i = 0; i < t; i++) {
                int row = po + i * t;
                int io = vo + i * dh;
                for (int j = 0; j <= i; j++) {
                    int jo = vo + j * dh;
                    float w = dropped[row + j];
                    if (w != 0f) {
                        for (int c = 0; c < dh; c++) {
                            dv[jo + c] += w * dOut[io + c];
                        }
                    }
                    dS[j] = droppedGradient(probs, mask, v, dOut, row + j, io, jo, dh);
                }
                double rowDot = rowDot(probs, dS, row, i);
                for (int j = 0; j <= i; j++) {
                    float s = scoreGradient(probs[row + j], dS[j], rowDot, scale);
                    if (s == 0f) {
                        continue;
                    }
                    int jo = vo + j * dh;
                    for (int c = 0; c < dh; c++) {
                        dq[io + c] += s * k[jo + c];
                        dk[jo + c] += s * q[io + c];
                    }
                }
            }
        }
    }

    /** {@code dP_ij = M_ij (dO_i . V_j)}, and 0 where the weight was dropped or masked out. */
    static float droppedGradient(float[] probs, float[] mask, float[] v, float[] dOut, int at, int io, int jo,
                                 int dh) {
        if (mask[at] == 0f || probs[at] == 0f) {
            return 0f;
        }
        float dp = 0f;
        for (int c = 0; c < dh; c++) {
            dp += dOut[io + c] * v[jo + c];
        }
        return dp * mask[at];
    }

    /** {@code sum_{j <= i} P_ij dP_ij} in double, {@code j} ascending. */
    static double rowDot(float[] probs, float[] dS, int row, int i) {
        double rowDot = 0;
        for (int j = 0; j <= i; j++) {
            rowDot += (double) probs[row + j] * dS[j];
        }
        return rowDot;
    }

    /** {@code dS_ij scale = P_ij (dP_ij - rowDot) scale}. */
    static float scoreGradient(float p, float dp, double rowDot, float scale) {
        return p * (dp - (float) rowDot) * scale;
    }
}
