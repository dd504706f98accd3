package org.attn4j.cpu.decode;

import java.util.Arrays;
import org.attn4j.cpu.CpuThreads;
import org.attn4j.cpu.FastExp;
import org.attn4j.cpu.Kernels;

/**
 * Softmax decode, split over keys (FlashDecoding's idea, in Java): each task computes, for its group's rows over its
 * range of keys, the scores of the kept keys (one saxpy per key component over a chunk), their maximum, the weights
 * {@code e^(s - m)} and their sum, then the weighted values component by component: for each value component
 * {@code c}, {@code R[j] += w[j] * V[c][j]} over the kept segments (again saxpys over chunks, see
 * {@link CachedHead}), then {@code o[c] = sum_j R[j]}. The tasks' partial results merge through their log-sum-exp:
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
        int[] spanLo = new int[rows];
        int[] spanHi = new int[rows];
        Arrays.fill(spanLo, CachedHead.CHUNK);
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
            spanLo[r] = Math.min(spanLo[r], seg.from[t]);
            spanHi[r] = Math.max(spanHi[r], seg.to[t]);
        }
        float[] scratch = new float[CachedHead.CHUNK];
        for (int t = 0; t < seg.count; t++) {
            int r = seg.row[t];
            l[r] += FastExp.expShifted(w[r][seg.chunk[t] - c0], m[r], seg.from[t], seg.to[t], scratch);
        }
        // Values chunk by chunk, each component a saxpy into its own accumulator: a chunk's component arrays lie
        // next to each other, so this reads them in one sequential sweep, as the scores read the keys.
        float[][][] acc = ACCUMULATORS.get().take(rows, p.dv);
        for (int t = 0; t < seg.count; t++) {
            int r = seg.row[t];
            float[] wr = w[r][seg.chunk[t] - c0];
            float[][] vt = head.valuesT[seg.chunk[t]];
            float[][] ar = acc[r];
            for (int c = 0; c < p.dv; c++) {
                // One component per loop: with several accumulators to store, C2 stops vectorizing.
                addProducts(ar[c], wr, vt[c], seg.from[t], seg.to[t]);
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < p.dv; c++) {
                o[r][c] = drain(acc[r][c], spanLo[r], spanHi[r]);
            }
        }
    }

    private static final ThreadLocal<Accumulators> ACCUMULATORS = ThreadLocal.withInitial(Accumulators::new);

    /** Per thread, zeroed {@code [rows][Dv][CHUNK]} accumulators, reused from call to call ({@link #drain} zeroes). */
    private static final class Accumulators {
        private float[][][] acc = new float[0][][];

        float[][][] take(int rows, int dv) {
            if (acc.length < rows || (rows > 0 && acc[0].length < dv)) {
                acc = new float[Math.max(rows, acc.length)][Math.max(dv, acc.length > 0 ? acc[0].length : 0)]
                        [CachedHead.CHUNK];
            }
            return acc;
        }
    }

    /** {@code acc[j] += w[j] * v[j]} for {@code from <= j < to}. */
    static void addProducts(float[] acc, float[] w, float[] v, int from, int to) {
        for (int j = from; j < to; j++) {
            acc[j] += w[j] * v[j];
        }
    }

    /** The sum of {@code acc[from..to)}, which it zeroes. */
    static float drain(float[] acc, int from, int to) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int j = from;
        for (; j + 3 < to; j += 4) {
            s0 += acc[j];
            s1 += acc[j + 1];
            s2 += acc[j + 2];
            s3 += acc[j + 3];
        }
        for (; j < to; j++) {
            s0 += acc[j];
        }
        if (to > from) {
            Arrays.fill(acc, from, to, 0f);
        }
        return (s0 + s1) + (s2 + s3);
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
