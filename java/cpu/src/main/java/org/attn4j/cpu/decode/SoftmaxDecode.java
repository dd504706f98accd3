package org.attn4j.cpu.decode;

import java.util.Arrays;
import org.attn4j.cpu.CpuThreads;
import org.attn4j.cpu.FastExp;
import org.attn4j.cpu.Kernels;

/**
 * Softmax decode, split over keys (FlashDecoding's idea, in Java): each task computes, for its group's rows over its
 * range of keys, the scores of the kept keys (one saxpy per key component over a chunk), their maximum, the weights
 * {@code e^(s - m)} and their sum, then the weighted values group by group of value rows (see {@link CachedHead}). The tasks' partial results merge through their log-sum-exp:
 * {@code M = max m_s}, {@code l = sum l_s e^(m_s - M)}, {@code O = sum O_s e^(m_s - M) / l}, {@code LSE = M + log l}.
 */
final class SoftmaxDecode {
    private SoftmaxDecode() {
    }

    /** Writes O rows into {@code out} ({@code [rows, Dv]}) and the LSE into {@code lse}. */
    static void run(DecodePlan p, float[] out, float[] lse) {
        int rows = p.groupRows;
        int dv = p.dv;
        float[] partMax = new float[p.tasks * rows];
        double[] partSum = new double[p.tasks * rows];
        float[][] partOut = new float[p.tasks * rows][];
        CpuThreads.forEach(p.tasks, 2L * (p.d + dv) * p.keptTotal, task -> {
            int g = p.groupOf(task);
            int split = task - p.firstTask[g];
            int lo = p.bounds[g][split];
            int hi = p.bounds[g][split + 1];
            float[] m = new float[rows];
            double[] l = new double[rows];
            float[][] o = new float[rows][dv];
            Arrays.fill(m, Float.NEGATIVE_INFINITY);
            if (hi > lo) {
                rangeOf(p, g, lo, hi, m, l, o);
            }
            for (int r = 0; r < rows; r++) {
                partMax[task * rows + r] = m[r];
                partSum[task * rows + r] = l[r];
                partOut[task * rows + r] = o[r];
            }
        });
        for (int g = 0; g < p.groups; g++) {
            for (int r = 0; r < rows; r++) {
                merge(p, g, r, g * rows + r, partMax, partSum, partOut, out, lse);
            }
        }
    }

    /** One task: unnormalised {@code o}, maximum {@code m} and sum {@code l} of every row over keys [lo, hi). */
    private static void rangeOf(DecodePlan p, int g, int lo, int hi, float[] m, double[] l, float[][] o) {
        int rows = p.groupRows;
        int first = g * rows;
        CachedHead head = p.head(g);
        Segments seg = Segments.of(p, g, lo, hi);
        int c0 = lo >>> CachedHead.SHIFT;
        int chunks = ((hi - 1) >>> CachedHead.SHIFT) - c0 + 1;
        // Scores, then weights, per row and chunk, indexed like the chunk (so every loop is a plain saxpy).
        float[][][] w = new float[rows][chunks][];
        for (int t = 0; t < seg.count; t++) {
            int r = seg.row[t];
            int ci = seg.chunk[t] - c0;
            float[] s = w[r][ci];
            if (s == null) {
                s = new float[CachedHead.CHUNK];
                w[r][ci] = s;
            }
            Kernels.scores(p.queryRows[first + r], head.keysT[seg.chunk[t]], p.d, seg.from[t], seg.to[t], s);
            m[r] = Math.max(m[r], Kernels.max(s, seg.from[t], seg.to[t]));
        }
        float[] scratch = new float[CachedHead.CHUNK];
        for (int t = 0; t < seg.count; t++) {
            int r = seg.row[t];
            l[r] += FastExp.expShifted(w[r][seg.chunk[t] - c0], m[r], seg.from[t], seg.to[t], scratch);
        }
        // Values group by group of VALUE_ROWS rows: the weights spread over each row's elements, one long saxpy
        // into the row's accumulator of the same shape, the rows added up at the end.
        int width = CachedHead.VALUE_ROWS * p.dv;
        float[][] acc = new float[rows][width];
        float[] spread = new float[width];
        for (int t = 0; t < seg.count; t++) {
            int r = seg.row[t];
            float[] wr = w[r][seg.chunk[t] - c0];
            int base = seg.chunk[t] << CachedHead.SHIFT;
            int from = seg.from[t];
            int to = seg.to[t];
            for (int g0 = from - from % CachedHead.VALUE_ROWS; g0 < to; g0 += CachedHead.VALUE_ROWS) {
                for (int k = 0; k < CachedHead.VALUE_ROWS; k++) {
                    int j = g0 + k;
                    Arrays.fill(spread, k * p.dv, (k + 1) * p.dv, j >= from && j < to ? wr[j] : 0f);
                }
                addProducts(acc[r], spread, head.values[(base + g0) / CachedHead.VALUE_ROWS], 0, width);
            }
        }
        for (int r = 0; r < rows; r++) {
            float[] a = acc[r];
            for (int k = 0; k < CachedHead.VALUE_ROWS; k++) {
                for (int c = 0; c < p.dv; c++) {
                    o[r][c] += a[k * p.dv + c];
                }
            }
        }
    }

    /** {@code acc[j] += w[j] * v[j]} for {@code from <= j < to}. */
    static void addProducts(float[] acc, float[] w, float[] v, int from, int to) {
        for (int j = from; j < to; j++) {
            acc[j] += w[j] * v[j];
        }
    }

    private static void merge(DecodePlan p, int g, int r, int row, float[] partMax, double[] partSum,
                              float[][] partOut, float[] out, float[] lse) {
        int rows = p.groupRows;
        int dv = p.dv;
        int base = row * dv;
        if (p.kept[row] == 0) {
            Arrays.fill(out, base, base + dv, 0f);
            lse[row] = Float.NEGATIVE_INFINITY;
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int t = p.firstTask[g]; t < p.firstTask[g + 1]; t++) {
            float m = partMax[t * rows + r];
            if (Float.isNaN(m)) {
                max = m;
                break;
            }
            max = Math.max(max, m);
        }
        double sum = 0;
        Arrays.fill(out, base, base + dv, 0f);
        for (int t = p.firstTask[g]; t < p.firstTask[g + 1]; t++) {
            float m = partMax[t * rows + r];
            double l = partSum[t * rows + r];
            if (m == Float.NEGATIVE_INFINITY && l == 0) {
                continue; // no kept key of this row in this range
            }
            float w = (float) Math.exp((double) m - max);
            sum += l * w;
            float[] o = partOut[t * rows + r];
            for (int c = 0; c < dv; c++) {
                out[base + c] += w * o[c];
            }
        }
        float inv = (float) (1.0 / sum);
        for (int c = 0; c < dv; c++) {
            out[base + c] *= inv;
        }
        lse[row] = (float) (max + Math.log(sum));
    }
}
