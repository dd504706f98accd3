package org.attn4j.model.nn.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The plain GELU against float64 math, and the Vector API one against the plain one bit for bit. */
class GeluKernelTest {
    private static final double C = Math.sqrt(2 / Math.PI);

    private static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(C * (x + 0.044715 * x * x * x)));
    }

    private static double slope(double x) {
        double t = Math.tanh(C * (x + 0.044715 * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * 0.044715 * x * x);
    }

    /** Gaussian values at several scales, the clamp's edges, signed zeros and huge values. */
    private static float[] inputs(int n) {
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * new double[] {0.01, 1, 3, 10}[i % 4]);
        }
        float[] special = {0f, -0f, 1e-30f, -1e-30f, 5.3f, -5.3f, 5.4f, -5.4f, 40f, -40f, 3e38f, -3e38f};
        System.arraycopy(special, 0, x, 0, special.length);
        return x;
    }

    @Test
    void thePlainRecipeIsGeluAndItsSlopeToFloatPrecision() {
        float[] x = inputs(20_000);
        float[] y = new float[x.length];
        float[] s = new float[x.length];
        new PlainGeluKernel().forward(x, y, s, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(x[i]) > 1e6) {
                continue; // gelu(x) = x and slope 1 far out; the float64 cube overflows the check itself
            }
            double g = gelu(x[i]);
            assertEquals(g, y[i], 2e-7 * Math.max(1, Math.abs(g)), "gelu(" + x[i] + ")");
            // 1 - t^2 in float loses what is left of it near |u| = 4..5 (t within an ulp of 1): up to ~1.2e-6 here,
            // as with any float tanh.
            assertEquals(slope(x[i]), s[i], 3e-6, "gelu'(" + x[i] + ")");
        }
        assertEquals(3e38f, y[10]);
        assertEquals(-0f, y[11], 0f);
        for (float u : new float[] {-20f, -9f, -3f, -0.5f, -1e-3f, 0f, 1e-3f, 0.3f, 2f, 8.9f, 9f, 30f}) {
            assertEquals(Math.tanh(u), PlainGeluKernel.tanh(u), 1.5e-7, "tanh(" + u + ")");
        }
        float[] dx = new float[x.length];
        float[] ones = new float[x.length];
        java.util.Arrays.fill(ones, 1f);
        new PlainGeluKernel().backward(x, ones, dx, 0, x.length);
        assertArrayEquals(s, dx, "backward with dy = 1 is the slope");
    }

    @Test
    void vectorKernelGivesThePlainBits() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the JVM runs without jdk.incubator.vector (the plain-kernel test run)");
        GeluKernel plain = new PlainGeluKernel();
        GeluKernel vector = ModelKernels.gelu("vector");
        float[] x = inputs(10_007);
        for (int[] range : new int[][] {{0, x.length}, {3, 40}, {1, 2}, {5, 5}}) {
            float[] y1 = new float[x.length];
            float[] y2 = new float[x.length];
            float[] s1 = new float[x.length];
            float[] s2 = new float[x.length];
            plain.forward(x, y1, s1, range[0], range[1]);
            vector.forward(x, y2, s2, range[0], range[1]);
            assertArrayEquals(y1, y2, "forward " + range[0] + ".." + range[1]);
            assertArrayEquals(s1, s2, "slope " + range[0] + ".." + range[1]);
            float[] dy = inputs(x.length);
            float[] d1 = dy.clone();
            float[] d2 = dy.clone();
            plain.backward(x, d1, d1, range[0], range[1]);
            vector.backward(x, d2, d2, range[0], range[1]);
            assertArrayEquals(d1, d2, "backward in place " + range[0] + ".." + range[1]);
        }
        float[] nan = {Float.NaN, 1f, Float.NaN, 2f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, 0f,
            0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f};
        float[] n1 = new float[nan.length];
        float[] n2 = new float[nan.length];
        plain.forward(nan, n1, null, 0, nan.length);
        vector.forward(nan, n2, null, 0, nan.length);
        assertArrayEquals(n1, n2, "NaN and infinities");
    }
}
