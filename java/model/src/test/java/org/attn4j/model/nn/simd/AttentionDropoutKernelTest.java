package org.attn4j.model.nn.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API attention-dropout loops against the plain ones bit for bit (the plain ones against the formulas:
 * {@code org.attn4j.model.gpt.AttentionDropoutTest}).
 */
class AttentionDropoutKernelTest {
    private static float[] gaussian(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** Causal rows of positive weights summing to about 1, some exactly 0 (a key the provider masked out). */
    private static float[] probabilities(SplittableRandom r, int bh, int t) {
        float[] p = new float[bh * t * t];
        for (int row = 0; row < bh * t; row++) {
            int i = row % t;
            for (int j = 0; j <= i; j++) {
                p[row * t + j] = r.nextInt(7) == 0 ? 0f : (float) r.nextDouble() / (i + 1);
            }
        }
        return p;
    }

    private static float[] mask(SplittableRandom r, int n, double p) {
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = r.nextDouble() < p ? 0f : (float) (1 / (1 - p));
        }
        return m;
    }

    @Test
    void vectorKernelGivesThePlainBits() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the JVM runs without jdk.incubator.vector (the plain-kernel test run)");
        AttentionDropoutKernel plain = new PlainAttentionDropoutKernel();
        AttentionDropoutKernel vector = ModelKernels.attentionDropout("vector");
        // Head widths below, at and off a vector's length; lengths shorter and longer than one, not multiples of it.
        int[][] shapes = {{3, 5, 4}, {2, 37, 64}, {4, 41, 20}, {1, 70, 3}, {2, 16, 16}};
        SplittableRandom r = new SplittableRandom(11);
        for (int[] shape : shapes) {
            int bh = shape[0];
            int t = shape[1];
            int dh = shape[2];
            float[] probs = probabilities(r, bh, t);
            float[] mask = mask(r, bh * t * t, 0.1);
            float[] q = gaussian(r, bh * t * dh);
            float[] k = gaussian(r, bh * t * dh);
            float[] v = gaussian(r, bh * t * dh);
            float[] dOut = gaussian(r, bh * t * dh);
            for (boolean bf16 : new boolean[] {false, true}) {
                String what = bh + "x" + t + "x" + dh + (bf16 ? " bf16" : "");
                float[][] a = run(plain, probs, mask, q, k, v, dOut, bh, t, dh, bf16);
                float[][] b = run(vector, probs, mask, q, k, v, dOut, bh, t, dh, bf16);
                String[] names = {"dropped", "out", "dq", "dk", "dv"};
                for (int x = 0; x < names.length; x++) {
                    assertArrayEquals(a[x], b[x], names[x] + " " + what);
                }
            }
        }
    }

    /** Forward over all groups, then backward over groups 1.. and group 0 on its own (two ranges). */
    private static float[][] run(AttentionDropoutKernel kernel, float[] probs, float[] mask, float[] q, float[] k,
                                 float[] v, float[] dOut, int bh, int t, int dh, boolean bf16) {
        float[] dropped = new float[bh * t * t];
        java.util.Arrays.fill(dropped, Float.NaN); // every element is written
        float[] out = new float[bh * t * dh];
        java.util.Arrays.fill(out, Float.NaN);
        kernel.forward(probs, mask, v, dropped, out, 0, bh, t, dh, bf16);
        float[] dq = new float[bh * t * dh];
        float[] dk = new float[bh * t * dh];
        float[] dv = new float[bh * t * dh];
        java.util.Arrays.fill(dq, Float.NaN);
        kernel.backward(probs, mask, dropped, q, k, v, dOut, 0.125f, dq, dk, dv, 1, bh, t, dh);
        kernel.backward(probs, mask, dropped, q, k, v, dOut, 0.125f, dq, dk, dv, 0, 1, t, dh);
        return new float[][] {dropped, out, dq, dk, dv};
    }
}
