package org.attn4j.cpu.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked micro-kernels on the JDK Vector API (incubating module {@code jdk.incubator.vector}), loaded by
 * {@link SimdSupport} only when that module is resolved.
 *
 * <p>As in a BLAS micro-kernel, a block of 6 rows x 4 vectors of results stays in 24 registers while the shared
 * dimension streams past: per step 4 vector loads of the packed operand (a key tile transposed, or value rows) and 6
 * broadcasts feed 24 fused multiply-adds, against 1 load per multiply-add in a row-at-a-time saxpy. Rows left over
 * go in blocks of 4, then one at a time. (6 rows measured 6-8% faster than 4 on a dense call with AVX-512.)
 *
 * <p>Every result is a chain of fused multiply-adds over the shared dimension in ascending order, starting from 0
 * (scores) or from the accumulator (weighted values), exp's polynomial is fused the same way and its sum taken in 16
 * interleaved partial sums added in order: exactly what the plain-Java kernels ({@code
 * org.attn4j.cpu.ScalarTileKernels}, {@link Math#fma} loops that C2 vectorizes) compute. So every result has the
 * same bits on either path, and {@link SimdSupport} may switch from one to the other between calls.
 */
public final class VectorTileKernels implements TileKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** positionsAtLeast: vectors whose pass bits share one int ({@code 32 / L}), and each one's bit offsets. */
    private static final int PER_INT = 32 / L;
    private static final IntVector[] BIT_OF_LANE = bitOfLane();
    private static final int COLS = 4 * L;
    // exp(x) = 2^k exp(r), |r| <= ln2 / 2, degree-6 polynomial: the constants of org.attn4j.cpu.FastExp.
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f;
    private static final float LOWEST = -100f;
    private static final float P0 = 1.9875691500E-4f;
    private static final float P1 = 1.3981999507E-3f;
    private static final float P2 = 8.3334519073E-3f;
    private static final float P3 = 4.1665795894E-2f;
    private static final float P4 = 1.6666665459E-1f;
    private static final float P5 = 5.0000001201E-1f;
    private static final FloatVector V_P2 = FloatVector.broadcast(F, P2);
    private static final FloatVector V_P3 = FloatVector.broadcast(F, P3);
    private static final FloatVector V_P4 = FloatVector.broadcast(F, P4);
    private static final FloatVector V_P5 = FloatVector.broadcast(F, P5);
    /** exp's sum runs in this many interleaved partial sums (position {@code (j - from) mod 16}), on both paths. */
    private static final int PARTIALS = 16;

    private final TileKernels plain;

    /** @param plain the plain-Java kernels (exp where the vector shape does not suit its 16 partial sums) */
    public VectorTileKernels(TileKernels plain) {
        this.plain = plain;
    }

    /** Whether this JVM's vector shape suits exp's 16 partial sums (4, 8 or 16 lanes). */
    static boolean supported() {
        return L == 4 || L == 8 || L == 16;
    }

    @Override
    public String name() {
        return "vector (jdk.incubator.vector, " + F.vectorBitSize() + "-bit, FMA)";
    }

    @Override
    public void scoreRow(float[] q, float[][] kt, int d, int from, int to, float[] s) {
        int j = from;
        for (; j + COLS <= to; j += COLS) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int c = 0; c < d; c++) {
                float[] k = kt[c];
                FloatVector x = FloatVector.broadcast(F, q[c]);
                a0 = FloatVector.fromArray(F, k, j).fma(x, a0);
                a1 = FloatVector.fromArray(F, k, j + L).fma(x, a1);
                a2 = FloatVector.fromArray(F, k, j + 2 * L).fma(x, a2);
                a3 = FloatVector.fromArray(F, k, j + 3 * L).fma(x, a3);
            }
            a0.intoArray(s, j);
            a1.intoArray(s, j + L);
            a2.intoArray(s, j + 2 * L);
            a3.intoArray(s, j + 3 * L);
        }
        for (; j + L <= to; j += L) {
            FloatVector a = FloatVector.zero(F);
            for (int c = 0; c < d; c++) {
                a = FloatVector.fromArray(F, kt[c], j).fma(FloatVector.broadcast(F, q[c]), a);
            }
            a.intoArray(s, j);
        }
        for (; j < to; j++) {
            float a = 0f;
            for (int c = 0; c < d; c++) {
                a = Math.fma(kt[c][j], q[c], a);
            }
            s[j] = a;
        }
    }

    @Override
    public void scoreRows(float[][] q, int rows, float[][] kt, int d, int from, int to, float[][] s) {
        int r = 0;
        for (; r + 6 <= rows; r += 6) {
            scoreSixRows(q[r], q[r + 1], q[r + 2], q[r + 3], q[r + 4], q[r + 5], kt, d, from, to, s[r], s[r + 1],
                    s[r + 2], s[r + 3], s[r + 4], s[r + 5]);
        }
        for (; r + 4 <= rows; r += 4) {
            scoreFourRows(q[r], q[r + 1], q[r + 2], q[r + 3], kt, d, from, to, s[r], s[r + 1], s[r + 2], s[r + 3]);
        }
        for (; r < rows; r++) {
            scoreRow(q[r], kt, d, from, to, s[r]);
        }
    }

    /**
     * Six rows at once: 24 accumulators, 4 key loads and 6 broadcasts per step (4 rows: 16, 4 and 4), so fewer loads
     * and less loop control per multiply-add; 29 of AVX-512's 32 vector registers. The columns left over go to the
     * four-row and one-row kernels, which compute each score the same way.
     */
    private void scoreSixRows(float[] q0, float[] q1, float[] q2, float[] q3, float[] q4, float[] q5, float[][] kt,
                              int d, int from, int to, float[] s0, float[] s1, float[] s2, float[] s3, float[] s4,
                              float[] s5) {
        int j = from;
        for (; j + COLS <= to; j += COLS) {
            FloatVector a00 = FloatVector.zero(F);
            FloatVector a01 = a00;
            FloatVector a02 = a00;
            FloatVector a03 = a00;
            FloatVector a10 = a00;
            FloatVector a11 = a00;
            FloatVector a12 = a00;
            FloatVector a13 = a00;
            FloatVector a20 = a00;
            FloatVector a21 = a00;
            FloatVector a22 = a00;
            FloatVector a23 = a00;
            FloatVector a30 = a00;
            FloatVector a31 = a00;
            FloatVector a32 = a00;
            FloatVector a33 = a00;
            FloatVector a40 = a00;
            FloatVector a41 = a00;
            FloatVector a42 = a00;
            FloatVector a43 = a00;
            FloatVector a50 = a00;
            FloatVector a51 = a00;
            FloatVector a52 = a00;
            FloatVector a53 = a00;
            for (int c = 0; c < d; c++) {
                float[] k = kt[c];
                FloatVector k0 = FloatVector.fromArray(F, k, j);
                FloatVector k1 = FloatVector.fromArray(F, k, j + L);
                FloatVector k2 = FloatVector.fromArray(F, k, j + 2 * L);
                FloatVector k3 = FloatVector.fromArray(F, k, j + 3 * L);
                FloatVector x = FloatVector.broadcast(F, q0[c]);
                a00 = k0.fma(x, a00);
                a01 = k1.fma(x, a01);
                a02 = k2.fma(x, a02);
                a03 = k3.fma(x, a03);
                x = FloatVector.broadcast(F, q1[c]);
                a10 = k0.fma(x, a10);
                a11 = k1.fma(x, a11);
                a12 = k2.fma(x, a12);
                a13 = k3.fma(x, a13);
                x = FloatVector.broadcast(F, q2[c]);
                a20 = k0.fma(x, a20);
                a21 = k1.fma(x, a21);
                a22 = k2.fma(x, a22);
                a23 = k3.fma(x, a23);
                x = FloatVector.broadcast(F, q3[c]);
                a30 = k0.fma(x, a30);
                a31 = k1.fma(x, a31);
                a32 = k2.fma(x, a32);
                a33 = k3.fma(x, a33);
                x = FloatVector.broadcast(F, q4[c]);
                a40 = k0.fma(x, a40);
                a41 = k1.fma(x, a41);
                a42 = k2.fma(x, a42);
                a43 = k3.fma(x, a43);
                x = FloatVector.broadcast(F, q5[c]);
                a50 = k0.fma(x, a50);
                a51 = k1.fma(x, a51);
                a52 = k2.fma(x, a52);
                a53 = k3.fma(x, a53);
            }
            a00.intoArray(s0, j);
            a01.intoArray(s0, j + L);
            a02.intoArray(s0, j + 2 * L);
            a03.intoArray(s0, j + 3 * L);
            a10.intoArray(s1, j);
            a11.intoArray(s1, j + L);
            a12.intoArray(s1, j + 2 * L);
            a13.intoArray(s1, j + 3 * L);
            a20.intoArray(s2, j);
            a21.intoArray(s2, j + L);
            a22.intoArray(s2, j + 2 * L);
            a23.intoArray(s2, j + 3 * L);
            a30.intoArray(s3, j);
            a31.intoArray(s3, j + L);
            a32.intoArray(s3, j + 2 * L);
            a33.intoArray(s3, j + 3 * L);
            a40.intoArray(s4, j);
            a41.intoArray(s4, j + L);
            a42.intoArray(s4, j + 2 * L);
            a43.intoArray(s4, j + 3 * L);
            a50.intoArray(s5, j);
            a51.intoArray(s5, j + L);
            a52.intoArray(s5, j + 2 * L);
            a53.intoArray(s5, j + 3 * L);
        }
        if (j < to) {
            scoreFourRows(q0, q1, q2, q3, kt, d, j, to, s0, s1, s2, s3);
            scoreRow(q4, kt, d, j, to, s4);
            scoreRow(q5, kt, d, j, to, s5);
        }
    }

    private static void scoreFourRows(float[] q0, float[] q1, float[] q2, float[] q3, float[][] kt, int d, int from,
                                      int to, float[] s0, float[] s1, float[] s2, float[] s3) {
        int j = from;
        for (; j + COLS <= to; j += COLS) {
            FloatVector a00 = FloatVector.zero(F);
            FloatVector a01 = a00;
            FloatVector a02 = a00;
            FloatVector a03 = a00;
            FloatVector a10 = a00;
            FloatVector a11 = a00;
            FloatVector a12 = a00;
            FloatVector a13 = a00;
            FloatVector a20 = a00;
            FloatVector a21 = a00;
            FloatVector a22 = a00;
            FloatVector a23 = a00;
            FloatVector a30 = a00;
            FloatVector a31 = a00;
            FloatVector a32 = a00;
            FloatVector a33 = a00;
            for (int c = 0; c < d; c++) {
                float[] k = kt[c];
                FloatVector k0 = FloatVector.fromArray(F, k, j);
                FloatVector k1 = FloatVector.fromArray(F, k, j + L);
                FloatVector k2 = FloatVector.fromArray(F, k, j + 2 * L);
                FloatVector k3 = FloatVector.fromArray(F, k, j + 3 * L);
                FloatVector x = FloatVector.broadcast(F, q0[c]);
                a00 = k0.fma(x, a00);
                a01 = k1.fma(x, a01);
                a02 = k2.fma(x, a02);
                a03 = k3.fma(x, a03);
                x = FloatVector.broadcast(F, q1[c]);
                a10 = k0.fma(x, a10);
                a11 = k1.fma(x, a11);
                a12 = k2.fma(x, a12);
                a13 = k3.fma(x, a13);
                x = FloatVector.broadcast(F, q2[c]);
                a20 = k0.fma(x, a20);
                a21 = k1.fma(x, a21);
                a22 = k2.fma(x, a22);
                a23 = k3.fma(x, a23);
                x = FloatVector.broadcast(F, q3[c]);
                a30 = k0.fma(x, a30);
                a31 = k1.fma(x, a31);
                a32 = k2.fma(x, a32);
                a33 = k3.fma(x, a33);
            }
            a00.intoArray(s0, j);
            a01.intoArray(s0, j + L);
            a02.intoArray(s0, j + 2 * L);
            a03.intoArray(s0, j + 3 * L);
            a10.intoArray(s1, j);
            a11.intoArray(s1, j + L);
            a12.intoArray(s1, j + 2 * L);
            a13.intoArray(s1, j + 3 * L);
            a20.intoArray(s2, j);
            a21.intoArray(s2, j + L);
            a22.intoArray(s2, j + 2 * L);
            a23.intoArray(s2, j + 3 * L);
            a30.intoArray(s3, j);
            a31.intoArray(s3, j + L);
            a32.intoArray(s3, j + 2 * L);
            a33.intoArray(s3, j + 3 * L);
        }
        for (; j + L <= to; j += L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int c = 0; c < d; c++) {
                FloatVector k = FloatVector.fromArray(F, kt[c], j);
                a0 = k.fma(FloatVector.broadcast(F, q0[c]), a0);
                a1 = k.fma(FloatVector.broadcast(F, q1[c]), a1);
                a2 = k.fma(FloatVector.broadcast(F, q2[c]), a2);
                a3 = k.fma(FloatVector.broadcast(F, q3[c]), a3);
            }
            a0.intoArray(s0, j);
            a1.intoArray(s1, j);
            a2.intoArray(s2, j);
            a3.intoArray(s3, j);
        }
        if (j < to) {
            scalarScores(q0, kt, d, j, to, s0);
            scalarScores(q1, kt, d, j, to, s1);
            scalarScores(q2, kt, d, j, to, s2);
            scalarScores(q3, kt, d, j, to, s3);
        }
    }

    private static void scalarScores(float[] q, float[][] kt, int d, int from, int to, float[] s) {
        for (int j = from; j < to; j++) {
            float a = 0f;
            for (int c = 0; c < d; c++) {
                a = Math.fma(kt[c][j], q[c], a);
            }
            s[j] = a;
        }
    }

    @Override
    public void addWeightedRows(float[][] acc, float[][] w, int rows, float[][] values, int first, int from, int to,
                                int len) {
        int r = 0;
        for (; r + 6 <= rows; r += 6) {
            addSixRows(acc[r], acc[r + 1], acc[r + 2], acc[r + 3], acc[r + 4], acc[r + 5], w[r], w[r + 1], w[r + 2],
                    w[r + 3], w[r + 4], w[r + 5], values, first, from, to, len);
        }
        for (; r + 4 <= rows; r += 4) {
            addFourRows(acc[r], acc[r + 1], acc[r + 2], acc[r + 3], w[r], w[r + 1], w[r + 2], w[r + 3], values,
                    first, from, to, 0, len);
        }
        for (; r < rows; r++) {
            addOneRow(acc[r], w[r], values, first, from, to, 0, len);
        }
    }

    /** Six rows at once, as {@link #scoreSixRows}; the columns left over go to the four-row and one-row kernels. */
    private static void addSixRows(float[] o0, float[] o1, float[] o2, float[] o3, float[] o4, float[] o5,
                                   float[] w0, float[] w1, float[] w2, float[] w3, float[] w4, float[] w5,
                                   float[][] values, int first, int from, int to, int len) {
        int c = 0;
        for (; c + COLS <= len; c += COLS) {
            FloatVector a00 = FloatVector.fromArray(F, o0, c);
            FloatVector a01 = FloatVector.fromArray(F, o0, c + L);
            FloatVector a02 = FloatVector.fromArray(F, o0, c + 2 * L);
            FloatVector a03 = FloatVector.fromArray(F, o0, c + 3 * L);
            FloatVector a10 = FloatVector.fromArray(F, o1, c);
            FloatVector a11 = FloatVector.fromArray(F, o1, c + L);
            FloatVector a12 = FloatVector.fromArray(F, o1, c + 2 * L);
            FloatVector a13 = FloatVector.fromArray(F, o1, c + 3 * L);
            FloatVector a20 = FloatVector.fromArray(F, o2, c);
            FloatVector a21 = FloatVector.fromArray(F, o2, c + L);
            FloatVector a22 = FloatVector.fromArray(F, o2, c + 2 * L);
            FloatVector a23 = FloatVector.fromArray(F, o2, c + 3 * L);
            FloatVector a30 = FloatVector.fromArray(F, o3, c);
            FloatVector a31 = FloatVector.fromArray(F, o3, c + L);
            FloatVector a32 = FloatVector.fromArray(F, o3, c + 2 * L);
            FloatVector a33 = FloatVector.fromArray(F, o3, c + 3 * L);
            FloatVector a40 = FloatVector.fromArray(F, o4, c);
            FloatVector a41 = FloatVector.fromArray(F, o4, c + L);
            FloatVector a42 = FloatVector.fromArray(F, o4, c + 2 * L);
            FloatVector a43 = FloatVector.fromArray(F, o4, c + 3 * L);
            FloatVector a50 = FloatVector.fromArray(F, o5, c);
            FloatVector a51 = FloatVector.fromArray(F, o5, c + L);
            FloatVector a52 = FloatVector.fromArray(F, o5, c + 2 * L);
            FloatVector a53 = FloatVector.fromArray(F, o5, c + 3 * L);
            for (int t = from; t < to; t++) {
                float[] v = values[first + t];
                FloatVector v0 = FloatVector.fromArray(F, v, c);
                FloatVector v1 = FloatVector.fromArray(F, v, c + L);
                FloatVector v2 = FloatVector.fromArray(F, v, c + 2 * L);
                FloatVector v3 = FloatVector.fromArray(F, v, c + 3 * L);
                FloatVector x = FloatVector.broadcast(F, w0[t]);
                a00 = v0.fma(x, a00);
                a01 = v1.fma(x, a01);
                a02 = v2.fma(x, a02);
                a03 = v3.fma(x, a03);
                x = FloatVector.broadcast(F, w1[t]);
                a10 = v0.fma(x, a10);
                a11 = v1.fma(x, a11);
                a12 = v2.fma(x, a12);
                a13 = v3.fma(x, a13);
                x = FloatVector.broadcast(F, w2[t]);
                a20 = v0.fma(x, a20);
                a21 = v1.fma(x, a21);
                a22 = v2.fma(x, a22);
                a23 = v3.fma(x, a23);
                x = FloatVector.broadcast(F, w3[t]);
                a30 = v0.fma(x, a30);
                a31 = v1.fma(x, a31);
                a32 = v2.fma(x, a32);
                a33 = v3.fma(x, a33);
                x = FloatVector.broadcast(F, w4[t]);
                a40 = v0.fma(x, a40);
                a41 = v1.fma(x, a41);
                a42 = v2.fma(x, a42);
                a43 = v3.fma(x, a43);
                x = FloatVector.broadcast(F, w5[t]);
                a50 = v0.fma(x, a50);
                a51 = v1.fma(x, a51);
                a52 = v2.fma(x, a52);
                a53 = v3.fma(x, a53);
            }
            a00.intoArray(o0, c);
            a01.intoArray(o0, c + L);
            a02.intoArray(o0, c + 2 * L);
            a03.intoArray(o0, c + 3 * L);
            a10.intoArray(o1, c);
            a11.intoArray(o1, c + L);
            a12.intoArray(o1, c + 2 * L);
            a13.intoArray(o1, c + 3 * L);
            a20.intoArray(o2, c);
            a21.intoArray(o2, c + L);
            a22.intoArray(o2, c + 2 * L);
            a23.intoArray(o2, c + 3 * L);
            a30.intoArray(o3, c);
            a31.intoArray(o3, c + L);
            a32.intoArray(o3, c + 2 * L);
            a33.intoArray(o3, c + 3 * L);
            a40.intoArray(o4, c);
            a41.intoArray(o4, c + L);
            a42.intoArray(o4, c + 2 * L);
            a43.intoArray(o4, c + 3 * L);
            a50.intoArray(o5, c);
            a51.intoArray(o5, c + L);
            a52.intoArray(o5, c + 2 * L);
            a53.intoArray(o5, c + 3 * L);
        }
        if (c < len) {
            addFourRows(o0, o1, o2, o3, w0, w1, w2, w3, values, first, from, to, c, len);
            addOneRow(o4, w4, values, first, from, to, c, len);
            addOneRow(o5, w5, values, first, from, to, c, len);
        }
    }

    private static void addFourRows(float[] o0, float[] o1, float[] o2, float[] o3, float[] w0, float[] w1,
                                    float[] w2, float[] w3, float[][] values, int first, int from, int to, int start,
                                    int len) {
        int c = start;
        for (; c + COLS <= len; c += COLS) {
            FloatVector a00 = FloatVector.fromArray(F, o0, c);
            FloatVector a01 = FloatVector.fromArray(F, o0, c + L);
            FloatVector a02 = FloatVector.fromArray(F, o0, c + 2 * L);
            FloatVector a03 = FloatVector.fromArray(F, o0, c + 3 * L);
            FloatVector a10 = FloatVector.fromArray(F, o1, c);
            FloatVector a11 = FloatVector.fromArray(F, o1, c + L);
            FloatVector a12 = FloatVector.fromArray(F, o1, c + 2 * L);
            FloatVector a13 = FloatVector.fromArray(F, o1, c + 3 * L);
            FloatVector a20 = FloatVector.fromArray(F, o2, c);
            FloatVector a21 = FloatVector.fromArray(F, o2, c + L);
            FloatVector a22 = FloatVector.fromArray(F, o2, c + 2 * L);
            FloatVector a23 = FloatVector.fromArray(F, o2, c + 3 * L);
            FloatVector a30 = FloatVector.fromArray(F, o3, c);
            FloatVector a31 = FloatVector.fromArray(F, o3, c + L);
            FloatVector a32 = FloatVector.fromArray(F, o3, c + 2 * L);
            FloatVector a33 = FloatVector.fromArray(F, o3, c + 3 * L);
            for (int t = from; t < to; t++) {
                float[] v = values[first + t];
                FloatVector v0 = FloatVector.fromArray(F, v, c);
                FloatVector v1 = FloatVector.fromArray(F, v, c + L);
                FloatVector v2 = FloatVector.fromArray(F, v, c + 2 * L);
                FloatVector v3 = FloatVector.fromArray(F, v, c + 3 * L);
                FloatVector x = FloatVector.broadcast(F, w0[t]);
                a00 = v0.fma(x, a00);
                a01 = v1.fma(x, a01);
                a02 = v2.fma(x, a02);
                a03 = v3.fma(x, a03);
                x = FloatVector.broadcast(F, w1[t]);
                a10 = v0.fma(x, a10);
                a11 = v1.fma(x, a11);
                a12 = v2.fma(x, a12);
                a13 = v3.fma(x, a13);
                x = FloatVector.broadcast(F, w2[t]);
                a20 = v0.fma(x, a20);
                a21 = v1.fma(x, a21);
                a22 = v2.fma(x, a22);
                a23 = v3.fma(x, a23);
                x = FloatVector.broadcast(F, w3[t]);
                a30 = v0.fma(x, a30);
                a31 = v1.fma(x, a31);
                a32 = v2.fma(x, a32);
                a33 = v3.fma(x, a33);
            }
            a00.intoArray(o0, c);
            a01.intoArray(o0, c + L);
            a02.intoArray(o0, c + 2 * L);
            a03.intoArray(o0, c + 3 * L);
            a10.intoArray(o1, c);
            a11.intoArray(o1, c + L);
            a12.intoArray(o1, c + 2 * L);
            a13.intoArray(o1, c + 3 * L);
            a20.intoArray(o2, c);
            a21.intoArray(o2, c + L);
            a22.intoArray(o2, c + 2 * L);
            a23.intoArray(o2, c + 3 * L);
            a30.intoArray(o3, c);
            a31.intoArray(o3, c + L);
            a32.intoArray(o3, c + 2 * L);
            a33.intoArray(o3, c + 3 * L);
        }
        for (; c + L <= len; c += L) {
            FloatVector a0 = FloatVector.fromArray(F, o0, c);
            FloatVector a1 = FloatVector.fromArray(F, o1, c);
            FloatVector a2 = FloatVector.fromArray(F, o2, c);
            FloatVector a3 = FloatVector.fromArray(F, o3, c);
            for (int t = from; t < to; t++) {
                FloatVector v = FloatVector.fromArray(F, values[first + t], c);
                a0 = v.fma(FloatVector.broadcast(F, w0[t]), a0);
                a1 = v.fma(FloatVector.broadcast(F, w1[t]), a1);
                a2 = v.fma(FloatVector.broadcast(F, w2[t]), a2);
                a3 = v.fma(FloatVector.broadcast(F, w3[t]), a3);
            }
            a0.intoArray(o0, c);
            a1.intoArray(o1, c);
            a2.intoArray(o2, c);
            a3.intoArray(o3, c);
        }
        if (c < len) {
            scalarWeighted(o0, w0, values, first, from, to, c, len);
            scalarWeighted(o1, w1, values, first, from, to, c, len);
            scalarWeighted(o2, w2, values, first, from, to, c, len);
            scalarWeighted(o3, w3, values, first, from, to, c, len);
        }
    }

    private static void addOneRow(float[] o, float[] w, float[][] values, int first, int from, int to, int start,
                                  int len) {
        int c = start;
        for (; c + L <= len; c += L) {
            FloatVector a = FloatVector.fromArray(F, o, c);
            for (int t = from; t < to; t++) {
                a = FloatVector.fromArray(F, values[first + t], c).fma(FloatVector.broadcast(F, w[t]), a);
            }
            a.intoArray(o, c);
        }
        if (c < len) {
            scalarWeighted(o, w, values, first, from, to, c, len);
        }
    }

    private static void scalarWeighted(float[] o, float[] w, float[][] values, int first, int from, int to,
                                       int fromColumn, int len) {
        for (int c = fromColumn; c < len; c++) {
            float a = o[c];
            for (int t = from; t < to; t++) {
                a = Math.fma(values[first + t][c], w[t], a);
            }
            o[c] = a;
        }
    }

    @Override
    public void addWeightedIndexedRows(float[] acc, float[] w, int[] index, float[][] rows, int n, int len) {
        if (zeroCount(w, n) == 0) {
            gatherWeighted(acc, w, index, rows, n, len);
            return;
        }
        // Zero weights (outside a sparse support) are skipped, as the plain kernel skips them, but by leaving them
        // out before the loop rather than testing inside it: with the test in the loop, C2 (JDK 17) kept the vector
        // accumulators boxed across the branch once a zero had been seen, and this kernel ran 7x slower inside the
        // forward pass (token top-k, measured) than in isolation.
        IndexedScratch scratch = SCRATCH.get().ensure(n);
        float[] sw = scratch.weights;
        int[] si = scratch.index;
        int m = 0;
        for (int t = 0; t < n; t++) {
            float wt = w[t];
            if (wt != 0f) { // rows with zeros are mostly zeros (sparsemax, entmax): a predictable branch
                sw[m] = wt;
                si[m++] = index[t];
            }
        }
        gatherWeighted(acc, sw, si, rows, m, len);
    }

    private static int zeroCount(float[] w, int n) {
        int zeros = 0;
        int t = 0;
        for (; t + L <= n; t += L) {
            zeros += FloatVector.fromArray(F, w, t).compare(VectorOperators.EQ, 0f).trueCount();
        }
        for (; t < n; t++) {
            zeros += w[t] == 0f ? 1 : 0;
        }
        return zeros;
    }

    /** {@code acc += sum_t w[t] * rows[index[t]]} over the first {@code len} columns, in the plain kernel's order. */
    private static void gatherWeighted(float[] acc, float[] w, int[] index, float[][] rows, int n, int len) {
        int c = 0;
        for (; c + COLS <= len; c += COLS) {
            FloatVector a0 = FloatVector.fromArray(F, acc, c);
            FloatVector a1 = FloatVector.fromArray(F, acc, c + L);
            FloatVector a2 = FloatVector.fromArray(F, acc, c + 2 * L);
            FloatVector a3 = FloatVector.fromArray(F, acc, c + 3 * L);
            for (int t = 0; t < n; t++) {
                float[] v = rows[index[t]];
                FloatVector x = FloatVector.broadcast(F, w[t]);
                a0 = FloatVector.fromArray(F, v, c).fma(x, a0);
                a1 = FloatVector.fromArray(F, v, c + L).fma(x, a1);
                a2 = FloatVector.fromArray(F, v, c + 2 * L).fma(x, a2);
                a3 = FloatVector.fromArray(F, v, c + 3 * L).fma(x, a3);
            }
            a0.intoArray(acc, c);
            a1.intoArray(acc, c + L);
            a2.intoArray(acc, c + 2 * L);
            a3.intoArray(acc, c + 3 * L);
        }
        for (; c + L <= len; c += L) {
            FloatVector a = FloatVector.fromArray(F, acc, c);
            for (int t = 0; t < n; t++) {
                a = FloatVector.fromArray(F, rows[index[t]], c).fma(FloatVector.broadcast(F, w[t]), a);
            }
            a.intoArray(acc, c);
        }
        for (; c < len; c++) {
            float a = acc[c];
            for (int t = 0; t < n; t++) {
                a = Math.fma(rows[index[t]][c], w[t], a);
            }
            acc[c] = a;
        }
    }

    /** A thread's room for a row's non-zero weights and their key indices (the kernels object is shared). */
    private static final class IndexedScratch {
        float[] weights = new float[0];
        int[] index = new int[0];

        IndexedScratch ensure(int n) {
            if (weights.length < n) {
                weights = new float[Math.max(n, 2 * weights.length)];
                index = new int[weights.length];
            }
            return this;
        }
    }

    private static final ThreadLocal<IndexedScratch> SCRATCH = ThreadLocal.withInitial(IndexedScratch::new);

    @Override
    public float dotInScoreOrder(float[] a, float[] b, int len) {
        float s = 0f;
        for (int c = 0; c < len; c++) {
            s = Math.fma(a[c], b[c], s);
        }
        return s;
    }

    @Override
    public float max(float[] s, int from, int to) {
        int j = from;
        float m = Float.NEGATIVE_INFINITY;
        if (to - from >= L) {
            FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; j + L <= to; j += L) {
                acc = acc.max(FloatVector.fromArray(F, s, j));
            }
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; j < to; j++) {
            m = Math.max(m, s[j]);
        }
        return m;
    }

    /**
     * The whole of exp in vector registers, 2^k included (from the bits of k + 127), where the plain-Java
     * loop needs a scalar pass for it: at attention's 256 flops per pair, that loop cost as much as the
     * products. No masks: lanes whose 2^k is below float's normal range ({@code -inf} scores among them) get the
     * factor 0.0f and give exactly 0.
     */
    @Override
    public float expShifted(float[] s, float shift, int from, int to, float[] scratch) {
        if (!supported()) {
            return plain.expShifted(s, shift, from, to, scratch);
        }
        int blocksPerPartials = PARTIALS / L;
        FloatVector p0 = FloatVector.zero(F);
        FloatVector p1 = p0;
        FloatVector p2 = p0;
        FloatVector p3 = p0;
        FloatVector shiftV = FloatVector.broadcast(F, shift);
        int j = from;
        int block = 0;
        for (; j + L <= to; j += L, block++) {
            FloatVector x = FloatVector.fromArray(F, s, j).sub(shiftV).max(LOWEST);
            FloatVector k = x.mul(LOG2E).add(ROUND).sub(ROUND);
            FloatVector r = x.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
            FloatVector y = r.fma(P0, P1).fma(r, V_P2).fma(r, V_P3).fma(r, V_P4).fma(r, V_P5);
            y = y.mul(r).fma(r, r).add(1f);
            // 2^k from the bits of k + 127 (clamped at 0, whose bits are 0.0f: below the normal range exp is 0),
            // read as an integer by adding 1.5 * 2^23; the shift drops that addend's bits.
            FloatVector biased = k.add(127f).max(0f).add(ROUND);
            FloatVector e = y.mul(biased.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            e.intoArray(s, j);
            switch (block % blocksPerPartials) {
                case 0:
                    p0 = p0.add(e);
                    break;
                case 1:
                    p1 = p1.add(e);
                    break;
                case 2:
                    p2 = p2.add(e);
                    break;
                default:
                    p3 = p3.add(e);
                    break;
            }
        }
        // Partial sum i holds the values at positions (j - from) mod 16 == i, as on the plain path.
        float[] partial = scratch;
        p0.intoArray(partial, 0);
        if (blocksPerPartials > 1) {
            p1.intoArray(partial, L);
        }
        if (blocksPerPartials > 2) {
            p2.intoArray(partial, 2 * L);
            p3.intoArray(partial, 3 * L);
        }
        for (; j < to; j++) {
            float e = scalarExp(s[j] - shift);
            s[j] = e;
            partial[(j - from) & (PARTIALS - 1)] += e;
        }
        float sum = 0f;
        for (int i = 0; i < PARTIALS; i++) {
            sum += partial[i];
        }
        return sum;
    }

    private static float scalarExp(float shifted) {
        float x = Math.max(shifted, LOWEST);
        float k = (x * LOG2E + ROUND) - ROUND;
        float r = x - k * LN2_HI - k * LN2_LO;
        float y = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, P0, P1), r, P2), r, P3), r, P4), r, P5);
        y = Math.fma(y * r, r, r) + 1f;
        int biased = (int) k + 127;
        return biased > 0 ? y * Float.intBitsToFloat(biased << 23) : 0f;
    }

    /** {@code x * 0 + acc} stays 0 until some x is NaN or infinite; four accumulators hide the add's latency. */
    @Override
    public int countAtLeast(int[] keys, int n, int key) {
        IntVector level = IntVector.broadcast(I, key);
        int count0 = 0; // two chains: each mask count waits on its compare
        int count1 = 0;
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            count0 += IntVector.fromArray(I, keys, i).compare(VectorOperators.GE, level).trueCount();
            count1 += IntVector.fromArray(I, keys, i + L).compare(VectorOperators.GE, level).trueCount();
        }
        for (; i < n; i++) {
            count0 += keys[i] >= key ? 1 : 0;
        }
        return count0 + count1;
    }

    @Override
    public int largestBelow(int[] keys, int n, int key) {
        IntVector level = IntVector.broadcast(I, key);
        IntVector none = IntVector.broadcast(I, Integer.MIN_VALUE);
        IntVector largest = none;
        int i = 0;
        for (; i + L <= n; i += L) {
            IntVector x = IntVector.fromArray(I, keys, i);
            largest = largest.max(none.blend(x, x.compare(VectorOperators.LT, level)));
        }
        int result = largest.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            int x = keys[i];
            result = x < key ? Math.max(result, x) : result;
        }
        return result;
    }

    /** Skips the vectors with no key in the range (the search calls it when a dozen keys are left). */
    @Override
    public int keysWithin(int[] x, int m, int lo, int hi, int[] to) {
        // key in [lo, hi] iff key - lo <= hi - lo, unsigned: signed after flipping the sign bits
        IntVector from = IntVector.broadcast(I, lo);
        IntVector flip = IntVector.broadcast(I, Integer.MIN_VALUE);
        IntVector span = IntVector.broadcast(I, (hi - lo) ^ Integer.MIN_VALUE);
        int kept = 0;
        int i = 0;
        for (; i + L <= m; i += L) {
            IntVector v = IntVector.fromArray(I, x, i).sub(from).lanewise(VectorOperators.XOR, flip);
            if (v.compare(VectorOperators.LE, span).anyTrue()) {
                kept = TileKernels.appendKeysWithin(x, i, i + L, lo, hi, to, kept);
            }
        }
        return TileKernels.appendKeysWithin(x, i, m, lo, hi, to, kept);
    }

    @Override
    public boolean compactSearch(int inside, int probed) {
        return inside <= probed / 64;
    }

    @Override
    public boolean allFinite(float[] s, int from, int to) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector a0 = zero;
        FloatVector a1 = zero;
        FloatVector a2 = zero;
        FloatVector a3 = zero;
        int j = from;
        for (; j + 4 * L <= to; j += 4 * L) {
            a0 = FloatVector.fromArray(F, s, j).fma(zero, a0);
            a1 = FloatVector.fromArray(F, s, j + L).fma(zero, a1);
            a2 = FloatVector.fromArray(F, s, j + 2 * L).fma(zero, a2);
            a3 = FloatVector.fromArray(F, s, j + 3 * L).fma(zero, a3);
        }
        for (; j + L <= to; j += L) {
            a0 = FloatVector.fromArray(F, s, j).fma(zero, a0);
        }
        float check = a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
        for (; j < to; j++) {
            check += s[j] * 0f;
        }
        return check == 0f;
    }

    /**
     * 64 scores per step: each vector's pass flags (the sign of {@code s - cut}, as on the plain path) shifted to
     * their own bits and or-ed into two ints, so one lane reduction serves {@code 32 / L} vectors; then the
     * positions are read off the 64 bits. About 4x the plain loop on AVX-512, whose cost is a store per score.
     */
    @Override
    public int positionsAtLeast(float[] s, int n, float cut, int[] positions) {
        if (32 % L != 0) {
            return plain.positionsAtLeast(s, n, cut, positions);
        }
        // s >= cut iff s - level has no sign bit, for finite s, with a zero cut as -0.0 (-0.0 - +0.0 is -0.0).
        float scalarLevel = cut == 0f ? -0.0f : cut;
        FloatVector level = FloatVector.broadcast(F, scalarLevel);
        int kept = 0;
        int t = 0;
        for (; t + 64 <= n; t += 64) {
            long bits = 0;
            for (int half = 0; half < 2; half++) {
                IntVector flags = IntVector.zero(I);
                for (int u = 0; u < PER_INT; u++) {
                    IntVector pass = FloatVector.fromArray(F, s, t + 32 * half + u * L).sub(level)
                            .viewAsIntegralLanes().reinterpretAsInts().not().lanewise(VectorOperators.LSHR, 31);
                    flags = flags.or(pass.lanewise(VectorOperators.LSHL, BIT_OF_LANE[u]));
                }
                bits |= (flags.reduceLanes(VectorOperators.OR) & 0xffffffffL) << (32 * half);
            }
            while (bits != 0) {
                positions[kept++] = t + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
            }
        }
        for (; t < n; t++) {
            positions[kept] = t;
            kept += ~Float.floatToRawIntBits(s[t] - scalarLevel) >>> 31;
        }
        return kept;
    }

    private static IntVector[] bitOfLane() {
        int[] lanes = new int[L];
        IntVector[] bits = new IntVector[Math.max(1, 32 / L)];
        for (int u = 0; u < bits.length; u++) {
            for (int lane = 0; lane < L; lane++) {
                lanes[lane] = (u * L + lane) & 31;
            }
            bits[u] = IntVector.fromArray(I, lanes, 0);
        }
        return bits;
    }
}
