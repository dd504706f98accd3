package org.attn4j.model.nn.simd;

import static org.attn4j.model.nn.simd.PlainAttentionDropoutKernel.droppedGradient;
import static org.attn4j.model.nn.simd.PlainAttentionDropoutKernel.droppedWeight;
import static org.attn4j.model.nn.simd.PlainAttentionDropoutKernel.rowDot;
import static org.attn4j.model.nn.simd.PlainAttentionDropoutKernel.scoreGradient;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PlainAttentionDropoutKernel}'s loops on the Vector API with the same bits. The updates of {@code out},
 * {@code dV}, {@code dQ} and {@code dK} run with the lanes over a head's columns: each element still receives its
 * products one key (or query) at a time in the plain order. The dot products {@code dO_i . V_j} run with the lanes over
 * keys {@code j} instead, against a transposed copy of the group's {@code V}, so that each lane sums its columns in
 * ascending order as the plain kernel does (lanes over columns would need a reduction in another order).
 */
public final class VectorAttentionDropoutKernel implements AttentionDropoutKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Refuses a machine whose preferred float vector has fewer than 4 lanes (the Vector API would run in Java). */
    public VectorAttentionDropoutKernel() {
        if (L < 4) {
            throw new UnsupportedOperationException("the preferred float vector has " + L + " lanes; expected >= 4");
        }
    }

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
                    if (w != 0f) {
                        addScaled(w, v, vo + j * dh, out, oo, dh);
                    }
                }
                Arrays.fill(dropped, row + i + 1, row + t, 0f);
            }
        }
    }

    @Override
    public void backward(float[] probs, float[] mask, float[] dropped, float[] q, float[] k, float[] v, float[] dOut,
                         float scale, float[] dq, float[] dk, float[] dv, int lo, int hi, int t, int dh) {
        float[] dS = new float[t];
        float[] vT = new float[dh * t];
        for (int g = lo; g < hi; g++) {
            int po = g * t * t;
            int vo = g * t * dh;
            Arrays.fill(dq, vo, vo + t * dh, 0f);
            Arrays.fill(dk, vo, vo + t * dh, 0f);
            Arrays.fill(dv, vo, vo + t * dh, 0f);
            for (int j = 0; j < t; j++) {
                for (int c = 0; c < dh; c++) {
                    vT[c * t + j] = v[vo + j * dh + c];
                }
            }
            for (int i = 0; i < t; i++) {
                int row = po + i * t;
                int io = vo + i * dh;
                for (int j = 0; j <= i; j++) {
                    float w = dropped[row + j];
                    if (w != 0f) {
                        addScaled(w, dOut, io, dv, vo + j * dh, dh);
                    }
                }
                int j = 0;
                for (; j + L <= i + 1; j += L) {
                    droppedGradients(probs, mask, vT, dOut, row, io, j, t, dh, dS);
                }
                for (; j <= i; j++) {
                    dS[j] = droppedGradient(probs, mask, v, dOut, row + j, io, vo + j * dh, dh);
                }
                double rowDot = rowDot(probs, dS, row, i);
                for (j = 0; j <= i; j++) {
                    float s = scoreGradient(probs[row + j], dS[j], rowDot, scale);
                    if (s != 0f) {
                        int jo = vo + j * dh;
                        addScaled(s, k, jo, dq, io, dh);
                        addScaled(s, q, io, dk, jo, dh);
                    }
                }
            }
        }
    }

    /** {@code dS[j .. j + L) = dP_i,j..}: lane {@code l} sums {@code dO_ic V_(j+l)c} over {@code c} ascending. */
    private static void droppedGradients(float[] probs, float[] mask, float[] vT, float[] dOut, int row, int io,
                                         int j, int t, int dh, float[] dS) {
        FloatVector dp = FloatVector.zero(S);
        for (int c = 0; c < dh; c++) {
            dp = dp.add(FloatVector.fromArray(S, vT, c * t + j).mul(dOut[io + c]));
        }
        FloatVector m = FloatVector.fromArray(S, mask, row + j);
        FloatVector p = FloatVector.fromArray(S, probs, row + j);
        VectorMask<Float> off = m.compare(VectorOperators.EQ, 0f).or(p.compare(VectorOperators.EQ, 0f));
        dp.mul(m).blend(0f, off).intoArray(dS, j);
    }

    /** {@code y[yo .. yo + n) += a * x[xo .. xo + n)}, element by element. */
    private static void addScaled(float a, float[] x, int xo, float[] y, int yo, int n) {
        int c = 0;
        for (int bound = S.loopBound(n); c < bound; c += L) {
            FloatVector.fromArray(S, y, yo + c).add(FloatVector.fromArray(S, x, xo + c).mul(a)).intoArray(y, yo + c);
        }
        for (; c < n; c++) {
            y[yo + c] += a * x[xo + c];
        }
    }
}
