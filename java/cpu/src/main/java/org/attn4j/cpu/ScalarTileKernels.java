package org.attn4j.cpu;

import org.attn4j.cpu.simd.TileKernels;

/**
 * The plain-Java {@link TileKernels}: loops of {@link Math#fma} that C2 vectorizes (JDK 17 on x86 with FMA, and
 * AArch64), computing exactly what the Vector API kernels compute: each score a chain of fused multiply-adds over
 * the components in ascending order from 0, each weighted sum one over the keys from the accumulator, four links
 * per statement (nested) so that the accumulator is loaded and stored once per four. Used when the Vector API module
 * is absent or turned off, and while the vector kernels warm up.
 */
final class ScalarTileKernels implements TileKernels {
    @Override
    public String name() {
        return "scalar (Math.fma loops vectorized by C2)";
    }

    @Override
    public void scoreRow(float[] q, float[][] kt, int d, int from, int to, float[] s) {
        for (int j = from; j < to; j++) {
            s[j] = 0f;
        }
        int c = 0;
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
                s[j] = Math.fma(a3, k3[j], Math.fma(a2, k2[j], Math.fma(a1, k1[j], Math.fma(a0, k0[j], s[j]))));
            }
        }
        for (; c < d; c++) {
            float a = q[c];
            float[] k = kt[c];
            for (int j = from; j < to; j++) {
                s[j] = Math.fma(a, k[j], s[j]);
            }
        }
    }

    @Override
    public void scoreRows(float[][] q, int rows, float[][] kt, int d, int from, int to, float[][] s) {
        for (int r = 0; r < rows; r++) {
            scoreRow(q[r], kt, d, from, to, s[r]);
        }
    }

    @Override
    public void addWeightedRows(float[][] acc, float[][] w, int rows, float[][] values, int first, int from, int to,
                                int len) {
        for (int r = 0; r < rows; r++) {
            float[] o = acc[r];
            float[] wr = w[r];
            int t = from;
            for (; t + 3 < to; t += 4) {
                float w0 = wr[t];
                float w1 = wr[t + 1];
                float w2 = wr[t + 2];
                float w3 = wr[t + 3];
                float[] r0 = values[first + t];
                float[] r1 = values[first + t + 1];
                float[] r2 = values[first + t + 2];
                float[] r3 = values[first + t + 3];
                for (int c = 0; c < len; c++) {
                    o[c] = Math.fma(w3, r3[c], Math.fma(w2, r2[c], Math.fma(w1, r1[c], Math.fma(w0, r0[c], o[c]))));
                }
            }
            for (; t < to; t++) {
                float w0 = wr[t];
                float[] r0 = values[first + t];
                for (int c = 0; c < len; c++) {
                    o[c] = Math.fma(w0, r0[c], o[c]);
                }
            }
        }
    }

    @Override
    public void addWeightedIndexedRows(float[] acc, float[] w, int[] index, float[][] rows, int n, int len) {
        for (int t = 0; t < n; t++) {
            float wt = w[t];
            if (wt == 0f) {
                continue; // outside a sparse support
            }
            float[] r = rows[index[t]];
            for (int c = 0; c < len; c++) {
                acc[c] = Math.fma(wt, r[c], acc[c]);
            }
        }
    }

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
        return Kernels.max(s, from, to);
    }

    @Override
    public float expShifted(float[] s, float shift, int from, int to, float[] scratch) {
        return FastExp.expShiftedInPartials(s, shift, from, to, scratch);
    }

    @Override
    public boolean allFinite(float[] s, int from, int to) {
        return Kernels.allFinite(s, from, to);
    }

    @Override
    public int positionsAtLeast(float[] s, int n, float cut, int[] positions) {
        // Branch-free (a branch would mispredict on the one score in six that passes): every position is written,
        // the count moves past those that pass.
        float level = Kernels.levelForAtLeast(cut);
        int kept = 0;
        for (int t = 0; t < n; t++) {
            positions[kept] = t;
            kept += Kernels.atLeast(s[t], level);
        }
        return kept;
    }

    @Override
    public int countAtLeast(int[] keys, int n, int key) {
        int count = 0;
        for (int i = 0; i < n; i++) {
            count += keys[i] >= key ? 1 : 0;
        }
        return count;
    }

    @Override
    public int largestBelow(int[] keys, int n, int key) {
        int largest = Integer.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            int x = keys[i];
            largest = x < key ? Math.max(largest, x) : largest;
        }
        return largest;
    }

    @Override
    public int keysWithin(int[] x, int m, int lo, int hi, int[] to) {
        return TileKernels.appendKeysWithin(x, 0, m, lo, hi, to, 0);
    }

    @Override
    public boolean compactSearch(int inside, int probed) {
        return inside <= probed / 4;
    }
}
