package org.attn4j.model.nn.simd;

import java.util.Arrays;

/**
 * {@link LinearKernels} in plain Java: loops of the form {@code acc[o] = fma(c, row[o], acc[o])} over separate arrays
 * indexed alike, which HotSpot's SuperWord vectorises (it gives up when loads and stores may overlap, as arrays
 * addressed at different offsets could: 2 GFLOP/s scalar against 14-26 vectorised on the 2-core EPYC).
 */
public final class PlainLinearKernels implements LinearKernels {
    @Override
    public String name() {
        return "plain Java (fma loops vectorised by C2)";
    }

    @Override
    public void forward(float[] x, float[][] w, float[] b, float[] y, int in, int out, int lo, int hi) {
        // Four output rows at once, so that each weight row is loaded once per four rows.
        float[] a0 = new float[out];
        float[] a1 = new float[out];
        float[] a2 = new float[out];
        float[] a3 = new float[out];
        int r = lo;
        for (; r + 4 <= hi; r += 4) {
            start(a0, b);
            start(a1, b);
            start(a2, b);
            start(a3, b);
            int x0 = r * in;
            for (int i = 0; i < in; i++) {
                float c0 = x[x0 + i];
                float c1 = x[x0 + in + i];
                float c2 = x[x0 + 2 * in + i];
                float c3 = x[x0 + 3 * in + i];
                float[] wr = w[i];
                for (int o = 0; o < out; o++) {
                    float wv = wr[o];
                    a0[o] = Math.fma(c0, wv, a0[o]);
                    a1[o] = Math.fma(c1, wv, a1[o]);
                    a2[o] = Math.fma(c2, wv, a2[o]);
                    a3[o] = Math.fma(c3, wv, a3[o]);
                }
            }
            System.arraycopy(a0, 0, y, r * out, out);
            System.arraycopy(a1, 0, y, (r + 1) * out, out);
            System.arraycopy(a2, 0, y, (r + 2) * out, out);
            System.arraycopy(a3, 0, y, (r + 3) * out, out);
        }
        for (; r < hi; r++) {
            start(a0, b);
            int xo = r * in;
            for (int i = 0; i < in; i++) {
                float c = x[xo + i];
                float[] wr = w[i];
                for (int o = 0; o < out; o++) {
                    a0[o] = Math.fma(c, wr[o], a0[o]);
                }
            }
            System.arraycopy(a0, 0, y, r * out, out);
        }
    }

    @Override
    public void weightGradient(float[] x, float[] dy, float[][] dw, int rows, int in, int out, int i0, int i1) {
        for (int i = i0; i < i1; i++) {
            Arrays.fill(dw[i], 0f);
        }
        float[] g = new float[out];
        for (int r = 0; r < rows; r++) {
            int xo = r * in;
            System.arraycopy(dy, r * out, g, 0, out);
            for (int i = i0; i < i1; i++) {
                float a = x[xo + i];
                float[] s = dw[i];
                for (int o = 0; o < out; o++) {
                    s[o] = Math.fma(a, g[o], s[o]);
                }
            }
        }
    }

    @Override
    public void inputGradient(float[] dy, float[][] wt, float[] dx, int in, int out, int lo, int hi) {
        float[] acc = new float[in];
        for (int r = lo; r < hi; r++) {
            Arrays.fill(acc, 0f);
            int go = r * out;
            for (int o = 0; o < out; o++) {
                float g = dy[go + o];
                float[] t = wt[o];
                for (int i = 0; i < in; i++) {
                    acc[i] = Math.fma(g, t[i], acc[i]);
                }
            }
            System.arraycopy(acc, 0, dx, r * in, in);
        }
    }

    private static void start(float[] acc, float[] b) {
        if (b != null) {
            System.arraycopy(b, 0, acc, 0, acc.length);
        } else {
            Arrays.fill(acc, 0f);
        }
    }
}
