package org.attn4j.cpu.decode;

import org.attn4j.cpu.CpuThreads;
import org.attn4j.cpu.FastExp;
import org.attn4j.cpu.Kernels;

/**
 * Softmax decode in one pass, split over keys (FlashDecoding's idea, in Java): each task runs the online softmax
 * (running max, running sum, rescaled accumulator) of its group's rows over its range of keys, and the partial
 * results merge through their log-sum-exp: {@code M = max m_s}, {@code l = sum l_s e^(m_s - M)},
 * {@code O = sum O_s e^(m_s - M) / l}, {@code LSE = M + log l}.
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
            CachedHead head = p.head(g);
            float[] m = new float[rows];
            double[] l = new double[rows];
            float[][] o = new float[rows][dv];
            java.util.Arrays.fill(m, Float.NEGATIVE_INFINITY);
            float[] s = new float[CachedHead.CHUNK];
            float[] scratch = new float[CachedHead.CHUNK];
            int first = g * rows;
            KeyRanges.walk(p, g, lo, hi, (r, chunk, from, to) -> {
                Kernels.scores(p.queryRows[first + r], head.keysT[chunk], p.d, from, to, s);
                float tileMax = Kernels.max(s, from, to);
                if (tileMax > m[r]) {
                    if (m[r] != Float.NEGATIVE_INFINITY) {
                        float correction = (float) Math.exp(m[r] - tileMax);
                        Kernels.scale(o[r], correction, dv);
                        l[r] *= correction;
                    }
                    m[r] = tileMax;
                }
                l[r] += FastExp.expShifted(s, m[r], from, to, scratch);
                Kernels.addWeightedRows(o[r], s, head.values[chunk], 0, from, to, dv);
            });
            for (int r = 0; r < rows; r++) {
                partMax[task * rows + r] = m[r];
                partSum[task * rows + r] = l[r];
                partOut[task * rows + r] = o[r];
            }
        });
        for (int g = 0; g < p.groups; g++) {
            for (int r = 0; r < rows; r++) {
                int row = g * rows + r;
                merge(p, g, r, row, partMax, partSum, partOut, out, lse);
            }
        }
    }

    private static void merge(DecodePlan p, int g, int r, int row, float[] partMax, double[] partSum,
                              float[][] partOut, float[] out, float[] lse) {
        int rows = p.groupRows;
        int dv = p.dv;
        int base = row * dv;
        if (p.kept[row] == 0) {
            java.util.Arrays.fill(out, base, base + dv, 0f);
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
        java.util.Arrays.fill(out, base, base + dv, 0f);
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
