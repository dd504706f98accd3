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
        Buffers buffers = BUFFERS.get();
        buffers.reset();
        for (int t = 0; t < seg.count; t++) {
            int r = seg.row[t];
            int ci = seg.chunk[t] - c0;
            float[] s = w[r][ci];
            if (s == null) {
                s = buffers.next();
                w[r][ci] = s;
            }
            Kernels.scores(p.queryRows[first + r], head.keysT[seg.chunk[t]], p.d, seg.from[t], seg.to[t], s);
            m[r] = Math.max(m[r], segmentMax(s, seg.from[t], seg.to[t]));
        }
        float[] scratch = new float[CachedHead.CHUNK];
        for (int t = 0; t < seg.count; t++) {
            int r = seg.row[t];
            l[r] += FastExp.expShifted(w[r][seg.chunk[t] - c0], m[r], seg.from[t], seg.to[t], scratch);
        }
        // Values by groups of VALUE_ROWS rows, four groups at a time: row k of the four groups, weighted, goes into
        // row k of the row's accumulator (every array indexed alike, so C2 vectorizes); the accumulator's rows are
        // added up at the end.
        int dv = p.dv;
        int rowsPerGroup = CachedHead.VALUE_ROWS;
        float[][] acc = new float[rows][rowsPerGroup * dv];
        for (int t = 0; t < seg.count; t++) {
            int r = seg.row[t];
            float[] wr = w[r][seg.chunk[t] - c0];
            int chunkBase = seg.chunk[t] << CachedHead.SHIFT;
            int from = seg.from[t];
            int to = seg.to[t];
            int q = from - from % rowsPerGroup;
            while (q < to) {
                // Four groups at once multiply rows of weight 0 (outside the segment) too: only for finite values.
                int groups = head.valuesFinite && q + 4 * rowsPerGroup <= to + rowsPerGroup - 1 ? 4 : 1;
                int vg = (chunkBase + q) / rowsPerGroup;
                if (groups == 4) {
                    addGroups4(acc[r], head.values[vg], head.values[vg + 1], head.values[vg + 2], head.values[vg + 3],
                            wr, q, from, to, dv);
                } else {
                    addGroup(acc[r], head.values[vg], wr, q, from, to, dv);
                }
                q += groups * rowsPerGroup;
            }
        }
        for (int r = 0; r < rows; r++) {
            float[] a = acc[r];
            for (int k = 0; k < rowsPerGroup; k++) {
                for (int c = 0; c < dv; c++) {
                    o[r][c] += a[k * dv + c];
                }
            }
        }
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /**
     * Per thread, chunk-long buffers for scores and weights, handed out afresh by each task and reused from call to
     * call: a task only reads back what it wrote, so they need no clearing, and a step allocates nothing per chunk.
     */
    private static final class Buffers {
        private float[][] pool = new float[0][];
        private int used;

        void reset() {
            used = 0;
        }

        float[] next() {
            if (used == pool.length) {
                pool = java.util.Arrays.copyOf(pool, Math.max(8, 2 * pool.length));
                for (int x = used; x < pool.length; x++) {
                    pool[x] = new float[CachedHead.CHUNK];
                }
            }
            return pool[used++];
        }
    }

    /**
     * The largest of {@code s[from..to)}, NaN ignored (a NaN score still makes its row NaN, through its weight):
     * comparisons, which C2 compiles to fewer instructions than {@link Math#max}.
     */
    static float segmentMax(float[] s, int from, int to) {
        float m0 = Float.NEGATIVE_INFINITY;
        float m1 = Float.NEGATIVE_INFINITY;
        float m2 = Float.NEGATIVE_INFINITY;
        float m3 = Float.NEGATIVE_INFINITY;
        int j = from;
        for (; j + 3 < to; j += 4) {
            float a = s[j];
            float b = s[j + 1];
            float c = s[j + 2];
            float d = s[j + 3];
            m0 = a > m0 ? a : m0;
            m1 = b > m1 ? b : m1;
            m2 = c > m2 ? c : m2;
            m3 = d > m3 ? d : m3;
        }
        for (; j < to; j++) {
            m0 = s[j] > m0 ? s[j] : m0;
        }
        return Math.max(Math.max(m0, m1), Math.max(m2, m3));
    }

    /** The weight of in-chunk position {@code j}: {@code w[j]} inside the segment {@code [from, to)}, else 0. */
    private static float weight(float[] w, int j, int from, int to) {
        return j >= from && j < to ? w[j] : 0f;
    }

    /**
     * {@code acc[k][c] += sum_i w[q + 16 i + k] * g_i[k][c]} for the four value groups starting at in-chunk position
     * {@code q}, rows flattened ({@code [k * dv + c]}).
     */
    static void addGroups4(float[] acc, float[] g0, float[] g1, float[] g2, float[] g3, float[] w, int q, int from,
                           int to, int dv) {
        int n = CachedHead.VALUE_ROWS;
        for (int k = 0; k < n; k++) {
            float w0 = weight(w, q + k, from, to);
            float w1 = weight(w, q + n + k, from, to);
            float w2 = weight(w, q + 2 * n + k, from, to);
            float w3 = weight(w, q + 3 * n + k, from, to);
            int base = k * dv;
            for (int c = base; c < base + dv; c++) {
                acc[c] += w0 * g0[c] + w1 * g1[c] + w2 * g2[c] + w3 * g3[c];
            }
        }
    }

    /** {@link #addGroups4} for one group, skipping rows of weight 0 (which contribute nothing, even inf or NaN). */
    static void addGroup(float[] acc, float[] g0, float[] w, int q, int from, int to, int dv) {
        for (int k = 0; k < CachedHead.VALUE_ROWS; k++) {
            float w0 = weight(w, q + k, from, to);
            if (w0 == 0f) {
                continue;
            }
            int base = k * dv;
            for (int c = base; c < base + dv; c++) {
                acc[c] += w0 * g0[c];
            }
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
