package org.attn4j.cpu;

/**
 * The inner loops, written so that HotSpot C2 vectorizes them.
 *
 * <p>C2 (JDK 17) vectorizes {@code y[j] += a * x[j]}-style loops but not float reductions (dot products), and only
 * when every array in the loop is indexed by the same expression: with different offsets into two arrays it must
 * assume they may overlap and gives up. So every operand here is its own row array indexed from 0 (tiles are
 * {@code float[rows][cols]}), and products are accumulated as saxpys, four at a time to cut loads and stores of the
 * accumulator. Java never fuses a multiply and an add, so each result is the same whichever loop (vector main loop
 * or scalar tail) computes it: recomputing a score anywhere gives the same bits, which the backward pass relies on.
 */
public final class Kernels {
    private Kernels() {
    }

    /**
     * Row of scores against a transposed key tile: {@code s[j] = sum_c q[c] * kt[c][j]} for {@code j < n}.
     *
     * @param q  one query row (already multiplied by the scale), length >= d
     * @param kt the tile's keys transposed: {@code kt[c][j]} is component {@code c} of key {@code j}
     */
    static void scores(float[] q, float[][] kt, int d, int n, float[] s) {
        scores(q, kt, d, 0, n, s);
    }

    /** {@link #scores} for keys {@code from <= j < to} only (entries outside are left as they are). */
    public static void scores(float[] q, float[][] kt, int d, int from, int to, float[] s) {
        int c = 0;
        if (d >= 4) {
            float a0 = q[0];
            float a1 = q[1];
            float a2 = q[2];
            float a3 = q[3];
            float[] k0 = kt[0];
            float[] k1 = kt[1];
            float[] k2 = kt[2];
            float[] k3 = kt[3];
            for (int j = from; j < to; j++) {
                s[j] = a0 * k0[j] + a1 * k1[j] + a2 * k2[j] + a3 * k3[j];
            }
            c = 4;
        } else {
            for (int j = from; j < to; j++) {
                s[j] = 0f;
            }
        }
        for (; c + 3 < d; c += 4) {
            float a0 = q[c];
            float a1 = q[c + 1];
            float a2 = q[c + 2];
            float a3 = q[c + 3];
            float[] k0 = kt[c];
            float[] k1 = kt[c + 1];
            float[] k2 = kt[c + 2];
            float[] k3 = kt[c + 3];
            for (int j = from; j < to; j++) {
                s[j] += a0 * k0[j] + a1 * k1[j] + a2 * k2[j] + a3 * k3[j];
            }
        }
        for (; c < d; c++) {
            float a = q[c];
            float[] k0 = kt[c];
            for (int j = from; j < to; j++) {
                s[j] += a * k0[j];
            }
        }
    }

    /**
     * Weighted sum of consecutive rows: {@code acc[c] += sum_t w[t] * rows[first + t][c]} for {@code t < n},
     * {@code c < len}. Groups of four zero weights (masked or outside a sparse support) are skipped.
     *
     * @param everyZero skip every zero weight, also inside a group: needed when rows may hold NaN or infinities,
     *                  since a key of weight 0 contributes nothing (SPEC) while {@code 0 * inf} is NaN
     */
    static void addWeightedRows(float[] acc, float[] w, float[][] rows, int first, int n, int len,
                                boolean everyZero) {
        addWeightedRows(acc, w, rows, first, 0, n, len, everyZero);
    }

    /** {@link #addWeightedRows(float[], float[], float[][], int, int, int, boolean)} over {@code from <= t < to}. */
    static void addWeightedRows(float[] acc, float[] w, float[][] rows, int first, int from, int to, int len,
                                boolean everyZero) {
        int t = from;
        for (; t + 3 < to; t += 4) {
            float w0 = w[t];
            float w1 = w[t + 1];
            float w2 = w[t + 2];
            float w3 = w[t + 3];
            if (w0 == 0f && w1 == 0f && w2 == 0f && w3 == 0f) {
                continue;
            }
            if (everyZero && (w0 == 0f || w1 == 0f || w2 == 0f || w3 == 0f)) {
                addNonZero(acc, w, t, t + 4, rows, first, len);
                continue;
            }
            float[] r0 = rows[first + t];
            float[] r1 = rows[first + t + 1];
            float[] r2 = rows[first + t + 2];
            float[] r3 = rows[first + t + 3];
            for (int c = 0; c < len; c++) {
                acc[c] += w0 * r0[c] + w1 * r1[c] + w2 * r2[c] + w3 * r3[c];
            }
        }
        addNonZero(acc, w, t, to, rows, first, len);
    }

    /** {@code acc += w[t] * rows[first + t]} one row at a time for {@code from <= t < to}, skipping zero weights. */
    private static void addNonZero(float[] acc, float[] w, int from, int to, float[][] rows, int first, int len) {
        for (int t = from; t < to; t++) {
            float w0 = w[t];
            if (w0 == 0f) {
                continue;
            }
            float[] r0 = rows[first + t];
            for (int c = 0; c < len; c++) {
                acc[c] += w0 * r0[c];
            }
        }
    }

    /**
     * Like {@link #addWeightedRows} for rows chosen by index: {@code acc += sum_t w[t] * rows[index[t]]}.
     *
     * @param everyZero skip every zero weight (rows may hold NaN or infinities)
     */
    static void addWeightedIndexedRows(float[] acc, float[] w, int[] index, float[][] rows, int n, int len,
                                       boolean everyZero) {
        int t = 0;
        for (; t + 3 < n; t += 4) {
            float w0 = w[t];
            float w1 = w[t + 1];
            float w2 = w[t + 2];
            float w3 = w[t + 3];
            if (w0 == 0f && w1 == 0f && w2 == 0f && w3 == 0f) {
                continue;
            }
            if (everyZero && (w0 == 0f || w1 == 0f || w2 == 0f || w3 == 0f)) {
                addNonZeroIndexed(acc, w, index, t, t + 4, rows, len);
                continue;
            }
            float[] r0 = rows[index[t]];
            float[] r1 = rows[index[t + 1]];
            float[] r2 = rows[index[t + 2]];
            float[] r3 = rows[index[t + 3]];
            for (int c = 0; c < len; c++) {
                acc[c] += w0 * r0[c] + w1 * r1[c] + w2 * r2[c] + w3 * r3[c];
            }
        }
        addNonZeroIndexed(acc, w, index, t, n, rows, len);
    }

    private static void addNonZeroIndexed(float[] acc, float[] w, int[] index, int from, int to, float[][] rows,
                                          int len) {
        for (int t = from; t < to; t++) {
            float w0 = w[t];
            if (w0 == 0f) {
                continue;
            }
            float[] r0 = rows[index[t]];
            for (int c = 0; c < len; c++) {
                acc[c] += w0 * r0[c];
            }
        }
    }

    /** Whether every value of {@code x[0..n)} is finite. */
    static boolean allFinite(float[] x, int n) {
        return allFinite(x, 0, n);
    }

    /** Whether every {@code x[i]}, {@code from <= i < to}, is finite. */
    static boolean allFinite(float[] x, int from, int to) {
        boolean finite = true;
        for (int i = from; i < to; i++) {
            finite &= Float.isFinite(x[i]);
        }
        return finite;
    }

    /**
     * 1 if {@code x >= level}, else 0, with no branch to mispredict: the sign of {@code x - level}, exact for finite
     * {@code x} (a difference of unequal floats is never zero, and rounding keeps its sign) and a level from
     * {@link #levelForAtLeast}.
     */
    static int atLeast(float x, float level) {
        return ~Float.floatToRawIntBits(x - level) >>> 31;
    }

    /** {@code level} for {@link #atLeast}: +0.0 becomes -0.0, since {@code -0.0 - +0.0} is -0.0 (sign set). */
    static float levelForAtLeast(float level) {
        return level == 0f ? -0.0f : level;
    }

    /** {@code y[c] *= a} for {@code c < len}. */
    static void scale(float[] y, float a, int len) {
        for (int c = 0; c < len; c++) {
            y[c] *= a;
        }
    }

    /** {@code y[c] = (float) (y[c] * a)} for {@code c < len}: the product rounded once, from a double factor. */
    static void scale(float[] y, double a, int len) {
        for (int c = 0; c < len; c++) {
            y[c] = (float) (y[c] * a);
        }
    }

    /**
     * {@code y[c] = fl(y[c] * scale)}, the product rounded once, except that a non-zero product below float's range
     * becomes the smallest float of its sign rather than 0: a query component times the scale must stay non-zero,
     * so that against an infinite key component it gives an infinite score, as {@code scale * dot} does, and not
     * {@code 0 * inf = NaN} (a subnormal query, or a scale such as 1e-300 that is 0 as a float). For finite keys the
     * change is at most {@code 2^-149 |k_c|} per term, the size of any subnormal rounding.
     */
    public static void scaleQuery(float[] y, double scale, int len) {
        for (int c = 0; c < len; c++) {
            double product = y[c] * scale;
            float rounded = (float) product;
            y[c] = rounded == 0f && product != 0 ? Math.copySign(Float.MIN_VALUE, rounded) : rounded;
        }
    }

    /** {@code y[c] = 0} for {@code c < len}. */
    static void clear(float[] y, int len) {
        clear(y, 0, len);
    }

    /** {@code y[c] = 0} for {@code from <= c < to}. */
    static void clear(float[] y, int from, int to) {
        for (int c = from; c < to; c++) {
            y[c] = 0f;
        }
    }

    /** {@code y[c] = value} for {@code from <= c < to}. */
    static void fill(float[] y, int from, int to, float value) {
        for (int c = from; c < to; c++) {
            y[c] = value;
        }
    }

    /** Largest of {@code s[0..n)}; {@code -inf} when n is 0. */
    static float max(float[] s, int n) {
        return max(s, 0, n);
    }

    /** Largest of {@code s[from..to)} (NaN if any is NaN). */
    static float max(float[] s, int from, int to) {
        // Four independent chains: C2 does not vectorize this reduction, and one chain waits on each max.
        float m0 = Float.NEGATIVE_INFINITY;
        float m1 = Float.NEGATIVE_INFINITY;
        float m2 = Float.NEGATIVE_INFINITY;
        float m3 = Float.NEGATIVE_INFINITY;
        int j = from;
        for (; j + 3 < to; j += 4) {
            m0 = Math.max(m0, s[j]);
            m1 = Math.max(m1, s[j + 1]);
            m2 = Math.max(m2, s[j + 2]);
            m3 = Math.max(m3, s[j + 3]);
        }
        for (; j < to; j++) {
            m0 = Math.max(m0, s[j]);
        }
        return Math.max(Math.max(m0, m1), Math.max(m2, m3));
    }

    /**
     * {@code sum_c a[c] * b[c]} with exactly the operations and order that {@link #scores} uses for one score, so
     * the result equals the score that kernel computes for the same vectors, bit for bit. The backward pass takes
     * its row terms this way, so that gradients that vanish mathematically (a row with a single key) come out as
     * exact zeros rather than rounding noise.
     */
    static float dotInScoreOrder(float[] a, float[] b, int len) {
        int c = 0;
        float s;
        if (len >= 4) {
            s = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
            c = 4;
        } else {
            s = 0f;
        }
        for (; c + 3 < len; c += 4) {
            s += a[c] * b[c] + a[c + 1] * b[c + 1] + a[c + 2] * b[c + 2] + a[c + 3] * b[c + 3];
        }
        for (; c < len; c++) {
            s += a[c] * b[c];
        }
        return s;
    }

    /** Dot product in double (used once per row, where accuracy matters more than speed). */
    static double dot(float[] a, float[] b, int len) {
        double acc = 0;
        for (int c = 0; c < len; c++) {
            acc += (double) a[c] * b[c];
        }
        return acc;
    }
}
