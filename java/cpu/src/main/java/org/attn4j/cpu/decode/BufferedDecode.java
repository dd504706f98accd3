package org.attn4j.cpu.decode;

import org.attn4j.Normalizer;
import org.attn4j.cpu.BufferedRows;
import org.attn4j.cpu.CpuThreads;
import org.attn4j.cpu.Kernels;

/**
 * Decode for what needs a whole row before any weight is known: sparsemax and entmax-1.5 (their threshold). Two
 * phases around a per-row step, each split over keys as in {@link SoftmaxDecode}:
 * <ol>
 *   <li>scores: each task writes its range's scores of every row of its group into the row's buffer, at the
 *       row's offset for that range (so the buffer is in key order);</li>
 *   <li>per row: the normalizer's weights (the threshold of sparsemax and entmax is exact, from the row's
 *       candidates above {@code max - 1});</li>
 *   <li>values: each task adds the weighted values of its range's kept keys with a nonzero weight (the support,
 *       usually far smaller than the row), and the partial outputs add up in split order.</li>
 * </ol>
 */
final class BufferedDecode {
    private BufferedDecode() {
    }

    /** Writes O rows into {@code out}, the LSE (softmax) into {@code lse}; returns the attended pairs. */
    static long run(DecodePlan p, Normalizer normalizer, float[] out, float[] lse) {
        int rows = p.groupRows;
        int dv = p.dv;
        int allRows = p.kept.length;
        float[][] scores = new float[allRows][];
        int[][] keys = new int[allRows][];
        for (int row = 0; row < allRows; row++) {
            scores[row] = new float[p.kept[row]];
            keys[row] = new int[p.kept[row]];
        }
        CpuThreads.forEach(p.tasks, 2L * p.d * p.keptTotal, task -> {
            int g = p.groupOf(task);
            int split = task - p.firstTask[g];
            int lo = p.bounds[g][split];
            int hi = p.bounds[g][split + 1];
            CachedHead head = p.head(g);
            int first = g * rows;
            int[] at = new int[rows];
            for (int r = 0; r < rows; r++) {
                at[r] = p.keptBefore(first + r, lo);
            }
            float[] s = new float[CachedHead.CHUNK];
            KeyRanges.walk(p, g, lo, hi, (r, chunk, from, to) -> {
                Kernels.scores(p.queryRows[first + r], head.keysT[chunk], p.d, from, to, s);
                int row = first + r;
                System.arraycopy(s, from, scores[row], at[r], to - from);
                int[] k = keys[row];
                int base = (chunk << CachedHead.SHIFT);
                for (int j = from; j < to; j++) {
                    k[at[r]++] = base + j;
                }
            });
        });
        int[] counts = new int[allRows];
        CpuThreads.forEach(allRows, 8L * p.keptTotal, row -> {
            int n = p.kept[row];
            float[] scratch = new float[Math.max(1, n)];
            counts[row] = n;
            double stat = BufferedRows.normalize(normalizer, scores[row], n, scratch);
            lse[row] = normalizer == Normalizer.SOFTMAX ? (float) stat : Float.NaN;
        });
        float[][] partOut = new float[p.tasks * rows][];
        CpuThreads.forEach(p.tasks, 2L * dv * sum(counts), task -> {
            int g = p.groupOf(task);
            int split = task - p.firstTask[g];
            int lo = p.bounds[g][split];
            int hi = p.bounds[g][split + 1];
            CachedHead head = p.head(g);
            for (int r = 0; r < rows; r++) {
                int row = g * rows + r;
                int[] k = keys[row];
                int from = lowerBound(k, counts[row], lo);
                int to = lowerBound(k, counts[row], hi);
                float[] acc = new float[dv];
                head.addValues(acc, scores[row], k, from, to);
                partOut[task * rows + r] = acc;
            }
        });
        long pairs = 0;
        for (int g = 0; g < p.groups; g++) {
            for (int r = 0; r < rows; r++) {
                int row = g * rows + r;
                int base = row * dv;
                java.util.Arrays.fill(out, base, base + dv, 0f);
                for (int t = p.firstTask[g]; t < p.firstTask[g + 1]; t++) {
                    float[] o = partOut[t * rows + r];
                    for (int c = 0; c < dv; c++) {
                        out[base + c] += o[c];
                    }
                }
                if (counts[row] == 0) {
                    lse[row] = normalizer == Normalizer.SOFTMAX ? Float.NEGATIVE_INFINITY : Float.NaN;
                }
                pairs += counts[row];
            }
        }
        return pairs;
    }

    /** First index {@code t < n} with {@code a[t] >= x} ({@code a} ascending), or {@code n}. */
    private static int lowerBound(int[] a, int n, int x) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static long sum(int[] a) {
        long s = 0;
        for (int x : a) {
            s += x;
        }
        return s;
    }
}
