package org.attn4j.model.nn.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The plain kernels against a float64 sum, and the Vector API kernels against the plain ones bit for bit, on shapes
 * with every kind of tail (rows not a multiple of 4, columns not a multiple of the vector or of the 4-vector tile,
 * more rows than the weight gradient takes per pass).
 */
class LinearKernelsTest {
    private static final int[] WIDTHS = {1, 2, 7, 16, 17, 48, 64, 65, 100, 192};
    private static final int[] ROWS = {1, 3, 4, 9, 21, 300};

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    private static float[][] rows(float[] flat, int rows, int cols) {
        float[][] m = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * cols, m[i], 0, cols);
        }
        return m;
    }

    private static float[][] transpose(float[][] m) {
        float[][] t = new float[m[0].length][m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[0].length; j++) {
                t[j][i] = m[i][j];
            }
        }
        return t;
    }

    @Test
    void plainKernelsComputeTheThreeProducts() {
        LinearKernels k = new PlainLinearKernels();
        SplittableRandom r = new SplittableRandom(1);
        for (int in : new int[] {1, 7, 64}) {
            for (int out : new int[] {1, 17, 64}) {
                int rows = 9;
                float[] x = random(r, rows * in);
                float[][] w = rows(random(r, in * out), in, out);
                float[] b = random(r, out);
                float[] dy = random(r, rows * out);
                float[] y = new float[rows * out];
                k.forward(x, w, b, y, in, out, 0, rows);
                float[][] dw = rows(random(r, in * out), in, out); // overwritten, not added to
                k.weightGradient(x, dy, dw, rows, in, out, 0, in);
                float[] dx = new float[rows * in];
                k.inputGradient(dy, transpose(w), dx, in, out, 0, rows);
                for (int row = 0; row < rows; row++) {
                    for (int o = 0; o < out; o++) {
                        double s = b[o];
                        for (int i = 0; i < in; i++) {
                            s += (double) x[row * in + i] * w[i][o];
                        }
                        assertEquals(s, y[row * out + o], 1e-4 * (1 + Math.abs(s)), "forward " + in + "x" + out);
                    }
                    for (int i = 0; i < in; i++) {
                        double s = 0;
                        for (int o = 0; o < out; o++) {
                            s += (double) dy[row * out + o] * w[i][o];
                        }
                        assertEquals(s, dx[row * in + i], 1e-4 * (1 + Math.abs(s)), "input gradient");
                    }
                }
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        double s = 0;
                        for (int row = 0; row < rows; row++) {
                            s += (double) x[row * in + i] * dy[row * out + o];
                        }
                        assertEquals(s, dw[i][o], 1e-4 * (1 + Math.abs(s)), "weight gradient");
                    }
                }
            }
        }
    }

    @Test
    void vectorKernelsGiveThePlainKernelsBits() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the JVM runs without jdk.incubator.vector (the plain-kernel test run)");
        LinearKernels plain = new PlainLinearKernels();
        LinearKernels vector = ModelKernels.linear("vector");
        assertTrue(vector.name().startsWith("Vector API"), vector.name());
        SplittableRandom r = new SplittableRandom(2);
        for (int in : WIDTHS) {
            for (int out : WIDTHS) {
                for (int rows : ROWS) {
                    String shape = rows + " rows, " + in + " -> " + out;
                    float[] x = random(r, rows * in);
                    float[][] w = rows(random(r, in * out), in, out);
                    float[] b = (in + out) % 2 == 0 ? random(r, out) : null;
                    float[] dy = random(r, rows * out);
                    // A range of rows that does not start at 0, as a thread's share would.
                    int lo = rows > 4 ? 1 : 0;
                    float[] y1 = new float[rows * out];
                    float[] y2 = new float[rows * out];
                    plain.forward(x, w, b, y1, in, out, lo, rows);
                    vector.forward(x, w, b, y2, in, out, lo, rows);
                    assertArrayEquals(y1, y2, "forward, " + shape);
                    float[][] dw1 = rows(random(new SplittableRandom(in), in * out), in, out);
                    float[][] dw2 = rows(random(new SplittableRandom(in), in * out), in, out);
                    int i0 = in > 4 ? 1 : 0;
                    plain.weightGradient(x, dy, dw1, rows, in, out, i0, in);
                    vector.weightGradient(x, dy, dw2, rows, in, out, i0, in);
                    for (int i = 0; i < in; i++) {
                        assertArrayEquals(dw1[i], dw2[i], "weight gradient row " + i + ", " + shape);
                    }
                    float[][] wt = transpose(w);
                    float[] dx1 = new float[rows * in];
                    float[] dx2 = new float[rows * in];
                    plain.inputGradient(dy, wt, dx1, in, out, lo, rows);
                    vector.inputGradient(dy, wt, dx2, in, out, lo, rows);
                    assertArrayEquals(dx1, dx2, "input gradient, " + shape);
                }
            }
        }
    }

    @Test
    void theSettingIsCheckedByName() {
        assertTrue(ModelKernels.linear("scalar") instanceof PlainLinearKernels);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelKernels.linear("fast"));
        assertTrue(e.getMessage().startsWith("attn4j.model.simd: expected auto, vector or scalar"), e.getMessage());
        if (!ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> ModelKernels.linear("vector"));
            assertTrue(missing.getMessage().contains("--add-modules jdk.incubator.vector"), missing.getMessage());
            assertTrue(ModelKernels.linear("auto") instanceof PlainLinearKernels);
        } else {
            assertTrue(ModelKernels.linear("auto").name().startsWith("Vector API"));
        }
    }
}
