package org.attn4j.model.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.attn4j.model.nn.GradCheck;
import org.attn4j.model.nn.Parallel;
import org.junit.jupiter.api.Test;

/** The attention-dropout product and its backward pass against a direct computation and finite differences. */
class AttentionDropoutTest {
    private static final int BH = 3;
    private static final int T = 5;
    private static final int DH = 4;
    private static final float SCALE = 0.5f;

    private final float[] q = GradCheck.gaussian(BH * T * DH, 1, 1);
    private final float[] k = GradCheck.gaussian(BH * T * DH, 1, 2);
    private final float[] v = GradCheck.gaussian(BH * T * DH, 1, 3);
    private final float[] weights = GradCheck.gaussian(BH * T * DH, 1, 4);
    private final float[] mask = new float[BH * T * T];

    AttentionDropoutTest() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < mask.length; i++) {
            mask[i] = r.nextDouble() < 0.3 ? 0f : 1f / 0.7f;
        }
    }

    /** Causal softmax of {@code scale q k^T} per group. */
    private static float[] softmax(float[] q, float[] k) {
        float[] p = new float[BH * T * T];
        for (int g = 0; g < BH; g++) {
            for (int i = 0; i < T; i++) {
                double[] s = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    for (int c = 0; c < DH; c++) {
                        s[j] += (double) q[(g * T + i) * DH + c] * k[(g * T + j) * DH + c];
                    }
                    s[j] *= SCALE;
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = 0; j <= i; j++) {
                    p[(g * T + i) * T + j] = (float) (s[j] / sum);
                }
            }
        }
        return p;
    }

    private double loss() {
        float[] out = new float[BH * T * DH];
        AttentionDropout.forward(softmax(q, k), mask, v, new float[BH * T * T], out, BH, T, DH, false,
                Parallel.serial());
        return GradCheck.dot(out, weights, out.length);
    }

    @Test
    void forwardIsTheProductOfTheDroppedWeightsAndV() {
        float[] p = softmax(q, k);
        float[] dropped = new float[p.length];
        float[] out = new float[BH * T * DH];
        AttentionDropout.forward(p, mask, v, dropped, out, BH, T, DH, false, Parallel.of(2));
        for (int g = 0; g < BH; g++) {
            for (int i = 0; i < T; i++) {
                for (int c = 0; c < DH; c++) {
                    double expect = 0;
                    for (int j = 0; j <= i; j++) {
                        expect += (double) p[(g * T + i) * T + j] * mask[(g * T + i) * T + j] * v[(g * T + j) * DH + c];
                    }
                    assertEquals(expect, out[(g * T + i) * DH + c], 1e-5);
                }
                for (int j = i + 1; j < T; j++) {
                    assertEquals(0f, dropped[(g * T + i) * T + j], "no weight above the diagonal");
                }
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        float[] p = softmax(q, k);
        float[] dropped = new float[p.length];
        float[] out = new float[BH * T * DH];
        AttentionDropout.forward(p, mask, v, dropped, out, BH, T, DH, false, Parallel.serial());
        float[] dq = new float[q.length];
        float[] dk = new float[k.length];
        float[] dv = new float[v.length];
        AttentionDropout.backward(p, mask, dropped, q, k, v, weights, SCALE, dq, dk, dv, BH, T, DH, Parallel.of(2));
        GradCheck.check("dq", q, dq, this::loss, 6, 1e-2, 2e-2, 7);
        GradCheck.check("dk", k, dk, this::loss, 6, 1e-2, 2e-2, 8);
        GradCheck.check("dv", v, dv, this::loss, 6, 1e-2, 2e-2, 9);
    }

    @Test
    void withoutDroppedWeightsItIsPlainAttention() {
        // mask 1 everywhere: out = P V, and dV = P^T dO
        float[] ones = new float[mask.length];
        java.util.Arrays.fill(ones, 1f);
        float[] p = softmax(q, k);
        float[] dropped = new float[p.length];
        float[] out = new float[BH * T * DH];
        AttentionDropout.forward(p, ones, v, dropped, out, BH, T, DH, false, Parallel.serial());
        float[] dq = new float[q.length];
        float[] dk = new float[k.length];
        float[] dv = new float[v.length];
        AttentionDropout.backward(p, ones, dropped, q, k, v, weights, SCALE, dq, dk, dv, BH, T, DH, Parallel.serial());
        for (int g = 0; g < BH; g++) {
            for (int j = 0; j < T; j++) {
                for (int c = 0; c < DH; c++) {
                    double expect = 0;
                    for (int i = j; i < T; i++) {
                        expect += (double) p[(g * T + i) * T + j] * weights[(g * T + i) * DH + c];
                    }
                    assertEquals(expect, dv[(g * T + j) * DH + c], 1e-5);
                }
            }
        }
    }
}
