package org.attn4j.model.nn.simd;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LinearKernels} on the incubating Vector API: a tile of 4 rows x 4 vectors of columns (16 accumulators, kept
 * in registers across the whole sum) takes one broadcast per row and one load per vector for 16 fused multiply-adds,
 * where the plain loops load and store their accumulators at every step (measured on the 2-core EPYC, AVX-512, one
 * thread, 1 344 rows: 120-175 GFLOP/s against 15-26 for the plain loops). Column tails take one vector at a time, then
 * single columns; row tails one row at a time; each element is summed in the plain kernels' order, so the bits agree.
 *
 * <p>Loaded only through {@link ModelKernels} after it has checked that the JVM resolves
 * {@code jdk.incubator.vector}.
 */
public final class VectorLinearKernels implements LinearKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int WIDE = 4 * L;
    /** Rows per pass of the weight gradient: 128 rows of dy are 32-128 KiB at widths 64-256. */
    private static final int CHUNK = 128;

    /** Refuses a machine whose preferred float vector has fewer than 4 lanes (the Vector API would run in Java). */
    public VectorLinearKernels() {
        if (L < 4) {
            throw new UnsupportedOperationException("the preferred float vector has " + L + " lanes; expected >= 4");
        }
    }

    @Override
    public String name() {
        return "Vector API (" + S.vectorBitSize() + "-bit; tiles of 4 rows x 4 vectors in registers)";
    }

    @Override
    public void forward(float[] x, float[][] w, float[] b, float[] y, int in, int out, int lo, int hi) {
        rowsTimes(x, w, b, y, in, out, lo, hi);
    }

    @Override
    public void inputGradient(float[] dy, float[][] wt, float[] dx, int in, int out, int lo, int hi) {
        rowsTimes(dy, wt, null, dx, out, in, lo, hi);
    }

    /** {@code y[r, :m] = b + sum_j x[r, j] m[j]}, rows {@code lo..hi}, {@code x [rows, k]}. */
    private static void rowsTimes(float[] x, float[][] m, float[] b, float[] y, int k, int cols, int lo, int hi) {
        int c = 0;
        for (; c + WIDE <= cols; c += WIDE) {
            int r = lo;
            for (; r + 4 <= hi; r += 4) {
                tile(x, m, b, y, k, cols, r, c);
            }
            for (; r < hi; r++) {
                for (int v = c; v < c + WIDE; v += L) {
                    oneVector(x, m, b, y, k, cols, r, v);
                }
            }
        }
        for (; c + L <= cols; c += L) {
            for (int r = lo; r < hi; r++) {
                oneVector(x, m, b, y, k, cols, r, c);
            }
        }
        for (; c < cols; c++) {
            for (int r = lo; r < hi; r++) {
                float a = b != null ? b[c] : 0f;
                int xo = r * k;
                for (int j = 0; j < k; j++) {
                    a = Math.fma(x[xo + j], m[j][c], a);
                }
                y[r * cols + c] = a;
            }
        }
    }

    /** Rows {@code r..r+3}, columns {@code c..c+4L}. */
    private static void tile(float[] x, float[][] m, float[] b, float[] y, int k, int cols, int r, int c) {
        FloatVector z = FloatVector.zero(S);
        FloatVector b0 = b != null ? FloatVector.fromArray(S, b, c) : z;
        FloatVector b1 = b != null ? FloatVector.fromArray(S, b, c + L) : z;
        FloatVector b2 = b != null ? FloatVector.fromArray(S, b, c + 2 * L) : z;
        FloatVector b3 = b != null ? FloatVector.fromArray(S, b, c + 3 * L) : z;
        FloatVector a00 = b0, a01 = b1, a02 = b2, a03 = b3;
        FloatVector a10 = b0, a11 = b1, a12 = b2, a13 = b3;
        FloatVector a20 = b0, a21 = b1, a22 = b2, a23 = b3;
        FloatVector a30 = b0, a31 = b1, a32 = b2, a33 = b3;
        int x0 = r * k;
        for (int j = 0; j < k; j++) {
            float[] mj = m[j];
            FloatVector w0 = FloatVector.fromArray(S, mj, c);
            FloatVector w1 = FloatVector.fromArray(S, mj, c + L);
            FloatVector w2 = FloatVector.fromArray(S, mj, c + 2 * L);
            FloatVector w3 = FloatVector.fromArray(S, mj, c + 3 * L);
            FloatVector v = FloatVector.broadcast(S, x[x0 + j]);
            a00 = v.fma(w0, a00);
            a01 = v.fma(w1, a01);
            a02 = v.fma(w2, a02);
            a03 = v.fma(w3, a03);
            v = FloatVector.broadcast(S, x[x0 + k + j]);
            a10 = v.fma(w0, a10);
            a11 = v.fma(w1, a11);
            a12 = v.fma(w2, a12);
            a13 = v.fma(w3, a13);
            v = FloatVector.broadcast(S, x[x0 + 2 * k + j]);
            a20 = v.fma(w0, a20);
            a21 = v.fma(w1, a21);
            a22 = v.fma(w2, a22);
            a23 = v.fma(w3, a23);
            v = FloatVector.broadcast(S, x[x0 + 3 * k + j]);
            a30 = v.fma(w0, a30);
            a31 = v.fma(w1, a31);
            a32 = v.fma(w2, a32);
            a33 = v.fma(w3, a33);
        }
        int y0 = r * cols + c;
        // Stored here, not through a helper with vector parameters: when the JIT does not inline such a helper, the
        // vectors are boxed and the Vector API runs its slow Java path (VectorGeluKernel#chunk).
        a00.intoArray(y, y0);
        a01.intoArray(y, y0 + L);
        a02.intoArray(y, y0 + 2 * L);
        a03.intoArray(y, y0 + 3 * L);
        a10.intoArray(y, y0 + cols);
        a11.intoArray(y, y0 + cols + L);
        a12.intoArray(y, y0 + cols + 2 * L);
        a13.intoArray(y, y0 + cols + 3 * L);
        a20.intoArray(y, y0 + 2 * cols);
        a21.intoArray(y, y0 + 2 * cols + L);
        a22.intoArray(y, y0 + 2 * cols + 2 * L);
        a23.intoArray(y, y0 + 2 * cols + 3 * L);
        a30.intoArray(y, y0 + 3 * cols);
        a31.intoArray(y, y0 + 3 * cols + L);
        a32.intoArray(y, y0 + 3 * cols + 2 * L);
        a33.intoArray(y, y0 + 3 * cols + 3 * L);
    }


    /** Row {@code r}, columns {@code c..c+L}. */
    private static void oneVector(float[] x, float[][] m, float[] b, float[] y, int k, int cols, int r, int c) {
        FloatVector a = b != null ? FloatVector.fromArray(S, b, c) : FloatVector.zero(S);
        int xo = r * k;
        for (int j = 0; j < k; j++) {
            a = FloatVector.broadcast(S, x[xo + j]).fma(FloatVector.fromArray(S, m[j], c), a);
        }
        a.intoArray(y, r * cols + c);
    }

    @Override
    public void weightGradient(float[] x, float[] dy, float[][] dw, int rows, int in, int out, int i0, int i1) {
        // The sums over the rows run in chunks of CHUNK rows, every tile of W's rows and columns per chunk, so that a
        // chunk of dy stays in cache while all the tiles read it (one pass per tile over 1 344 rows measured 2.3x
        // slower than the plain loops); the partial sums wait in dw between chunks, in the same order of rows.
        for (int i = i0; i < i1; i++) {
            Arrays.fill(dw[i], 0f);
        }
        for (int r0 = 0; r0 < rows; r0 += CHUNK) {
            int r1 = Math.min(rows, r0 + CHUNK);
            int c = 0;
            for (; c + WIDE <= out; c += WIDE) {
                int i = i0;
                for (; i + 4 <= i1; i += 4) {
                    gradientTile(x, dy, dw, i, in, out, i, c, r0, r1);
                }
                for (; i < i1; i++) {
                    for (int v = c; v < c + WIDE; v += L) {
                        gradientVector(x, dy, dw[i], in, out, i, v, r0, r1);
                    }
                }
            }
            for (; c + L <= out; c += L) {
                for (int i = i0; i < i1; i++) {
                    gradientVector(x, dy, dw[i], in, out, i, c, r0, r1);
                }
            }
            for (; c < out; c++) {
                for (int i = i0; i < i1; i++) {
                    float s = dw[i][c];
                    for (int r = r0; r < r1; r++) {
                        s = Math.fma(x[r * in + i], dy[r * out + c], s);
                    }
                    dw[i][c] = s;
                }
            }
        }
    }

    /** Weight rows {@code i..i+3} (their sums at {@code acc[a..a+3]}), columns {@code c..c+4L}, rows {@code r0..r1}. */
    private static void gradientTile(float[] x, float[] dy, float[][] acc, int a, int in, int out, int i, int c,
                                     int r0, int r1) {
        float[] s0 = acc[a];
        float[] s1 = acc[a + 1];
        float[] s2 = acc[a + 2];
        float[] s3 = acc[a + 3];
        FloatVector a00 = load(s0, c), a01 = load(s0, c + L), a02 = load(s0, c + 2 * L), a03 = load(s0, c + 3 * L);
        FloatVector a10 = load(s1, c), a11 = load(s1, c + L), a12 = load(s1, c + 2 * L), a13 = load(s1, c + 3 * L);
        FloatVector a20 = load(s2, c), a21 = load(s2, c + L), a22 = load(s2, c + 2 * L), a23 = load(s2, c + 3 * L);
        FloatVector a30 = load(s3, c), a31 = load(s3, c + L), a32 = load(s3, c + 2 * L), a33 = load(s3, c + 3 * L);
        for (int r = r0; r < r1; r++) {
            int go = r * out + c;
            FloatVector g0 = FloatVector.fromArray(S, dy, go);
            FloatVector g1 = FloatVector.fromArray(S, dy, go + L);
            FloatVector g2 = FloatVector.fromArray(S, dy, go + 2 * L);
            FloatVector g3 = FloatVector.fromArray(S, dy, go + 3 * L);
            int xo = r * in + i;
            FloatVector v = FloatVector.broadcast(S, x[xo]);
            a00 = v.fma(g0, a00);
            a01 = v.fma(g1, a01);
            a02 = v.fma(g2, a02);
            a03 = v.fma(g3, a03);
            v = FloatVector.broadcast(S, x[xo + 1]);
            a10 = v.fma(g0, a10);
            a11 = v.fma(g1, a11);
            a12 = v.fma(g2, a12);
            a13 = v.fma(g3, a13);
            v = FloatVector.broadcast(S, x[xo + 2]);
            a20 = v.fma(g0, a20);
            a21 = v.fma(g1, a21);
            a22 = v.fma(g2, a22);
            a23 = v.fma(g3, a23);
            v = FloatVector.broadcast(S, x[xo + 3]);
            a30 = v.fma(g0, a30);
            a31 = v.fma(g1, a31);
            a32 = v.fma(g2, a32);
            a33 = v.fma(g3, a33);
        }
        a00.intoArray(s0, c);
        a01.intoArray(s0, c + L);
        a02.intoArray(s0, c + 2 * L);
        a03.intoArray(s0, c + 3 * L);
        a10.intoArray(s1, c);
        a11.intoArray(s1, c + L);
        a12.intoArray(s1, c + 2 * L);
        a13.intoArray(s1, c + 3 * L);
        a20.intoArray(s2, c);
        a21.intoArray(s2, c + L);
        a22.intoArray(s2, c + 2 * L);
        a23.intoArray(s2, c + 3 * L);
        a30.intoArray(s3, c);
        a31.intoArray(s3, c + L);
        a32.intoArray(s3, c + 2 * L);
        a33.intoArray(s3, c + 3 * L);
    }

    private static FloatVector load(float[] a, int at) {
        return FloatVector.fromArray(S, a, at);
    }

    /** Weight row {@code i} (its sums at {@code s}), columns {@code c..c+L}, rows {@code r0..r1}. */
    private static void gradientVector(float[] x, float[] dy, float[] s, int in, int out, int i, int c, int r0,
                                       int r1) {
        FloatVector a = FloatVector.fromArray(S, s, c);
        for (int r = r0; r < r1; r++) {
            a = FloatVector.broadcast(S, x[r * in + i]).fma(FloatVector.fromArray(S, dy, r * out + c), a);
        }
        a.intoArray(s, c);
    }
}
