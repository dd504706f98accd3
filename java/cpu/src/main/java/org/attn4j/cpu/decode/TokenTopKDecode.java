package org.attn4j.cpu.decode;

import java.util.Arrays;
import org.attn4j.Normalizer;
import org.attn4j.cpu.BufferedRows;
import org.attn4j.cpu.CpuThreads;
import org.attn4j.cpu.ExactTokenScores;
import org.attn4j.cpu.Kernels;
import org.attn4j.mask.TokenScore;

/**
 * Token top-k decode, with any normalizer: each task scores its range of kept keys and keeps, per row, the best
 * {@code k + 1} in a heap ({@link TopKHeap}; no buffer of the whole row); per row, the tasks' heaps merge into the
 * row's best {@code k + 1}. The SPEC ranks by the float64 score ({@link TokenScore}): when the float scores of the
 * k-th and the (k+1)-th are further apart than twice their error bound ({@link ExactTokenScores#bound}), the float
 * top {@code k} is the exact one; otherwise (near ties, non-finite scores, a scale below float range) the row's keys
 * are scored again and those that may belong are ranked by their float64 scores ({@link #exactTopK}). The
 * normalizer gives the weights over the {@code k} kept (as the SPEC orders it); their value rows are summed.
 */
final class TokenTopKDecode {
    private TokenTopKDecode() {
    }

    /** Writes O rows into {@code out}, the LSE (softmax) into {@code lse}; returns the attended pairs. */
    static long run(DecodePlan p, Normalizer normalizer, int k, float[] out, float[] lse) {
        int rows = p.groupRows;
        int dv = p.dv;
        TopKHeap[] heaps = new TopKHeap[p.tasks * rows];
        CpuThreads.forEach(p.tasks, 2L * p.d * p.keptTotal, task -> {
            int g = p.groupOf(task);
            int split = task - p.firstTask[g];
            int lo = p.bounds[g][split];
            int hi = p.bounds[g][split + 1];
            CachedHead head = p.head(g);
            int first = g * rows;
            TopKHeap[] mine = new TopKHeap[rows];
            for (int r = 0; r < rows; r++) {
                mine[r] = new TopKHeap(k + 1);
                heaps[task * rows + r] = mine[r];
            }
            if (hi <= lo) {
                return;
            }
            float[] s = new float[CachedHead.CHUNK];
            Segments seg = Segments.of(p, g, lo, hi);
            for (int t = 0; t < seg.count; t++) {
                int r = seg.row[t];
                Kernels.scores(p.queryRows[first + r], head.keysT[seg.chunk[t]], p.d, seg.from[t], seg.to[t], s);
                mine[r].offerAll(s, seg.from[t], seg.to[t], seg.chunk[t] << CachedHead.SHIFT);
            }
        });
        int[] counts = new int[p.kept.length];
        CpuThreads.forEach(p.kept.length, 4L * k * dv * p.kept.length, row -> {
            int g = row / rows;
            int r = row % rows;
            TopKHeap merged = new TopKHeap(k + 1);
            for (int t = p.firstTask[g]; t < p.firstTask[g + 1]; t++) {
                merged.merge(heaps[t * rows + r]);
            }
            float[] w = new float[k + 1];
            int[] keys = new int[k + 1];
            int n;
            if (merged.size <= k) {
                n = merged.sortedByKey(w, keys);
            } else {
                double bound = ExactTokenScores.bound(p.scale, query(p, row), p.d, p.head(g).maxKeyNorm);
                if (separated(merged, bound)) {
                    merged.dropWorst();
                    n = merged.sortedByKey(w, keys);
                } else {
                    n = exactTopK(p, g, row, k, worstKept(merged), bound, w, keys);
                }
            }
            counts[row] = n;
            double stat = BufferedRows.normalize(normalizer, w, n, new float[Math.max(1, n)]);
            lse[row] = normalizer == Normalizer.SOFTMAX ? (float) stat : Float.NaN;
            float[] acc = new float[dv];
            p.head(g).addValues(acc, w, keys, 0, n);
            System.arraycopy(acc, 0, out, row * dv, dv);
            if (n == 0) {
                lse[row] = normalizer == Normalizer.SOFTMAX ? Float.NEGATIVE_INFINITY : Float.NaN;
            }
        });
        long pairs = 0;
        for (int c : counts) {
            pairs += c;
        }
        return pairs;
    }

    /**
     * Whether the float scores settle the row's top k: the k-th and the (k+1)-th (the heap's root) are finite and
     * further apart than twice {@code bound}, the largest error of a float score of the row.
     */
    private static boolean separated(TopKHeap merged, double bound) {
        float last = merged.scores[0];
        float kth = worstKept(merged);
        return Float.isFinite(last) && Float.isFinite(kth) && (double) kth - last > 2 * bound;
    }

    /** The k-th best score of a full heap of k + 1: the worst of those other than the root. */
    private static float worstKept(TopKHeap merged) {
        float kth = Float.POSITIVE_INFINITY;
        for (int t = 1; t < merged.size; t++) {
            if (Float.compare(merged.scores[t], kth) < 0) {
                kth = merged.scores[t];
            }
        }
        return kth;
    }

    /** Row {@code row}'s unscaled query. */
    private static float[] query(DecodePlan p, int row) {
        return Arrays.copyOfRange(p.rawQueries, row * p.d, row * p.d + p.d);
    }

    /**
     * The row's top k by the SPEC's float64 score (ties to the lower key), with their float scores in ascending key
     * order into {@code w, keys}: every kept key of the row whose float score may reach the exact k-th
     * ({@code >= kth - 2 * bound}, or not finite) is scored exactly.
     */
    private static int exactTopK(DecodePlan p, int g, int row, int k, float kth, double bound, float[] w,
                                 int[] keys) {
        CachedHead head = p.head(g);
        int qOffset = row * p.d;
        double floor = Float.isFinite(kth) && Double.isFinite(bound) ? kth - 2 * bound : Double.NEGATIVE_INFINITY;
        float[] s = new float[CachedHead.CHUNK];
        float[] key = new float[p.d];
        int[] ids = new int[16];
        float[] fl = new float[16];
        double[] exact = new double[16];
        int n = 0;
        // The row's kept intervals, cut at chunk boundaries.
        for (int t = 0; t < p.intervals[row]; t++) {
            for (int a = p.starts[row][t]; a < p.ends[row][t]; ) {
                int chunk = a >>> CachedHead.SHIFT;
                int base = chunk << CachedHead.SHIFT;
                int to = Math.min(p.ends[row][t], base + CachedHead.CHUNK) - base;
                int from = a - base;
                a = base + to;
                float[][] kt = head.keysT[chunk];
                Kernels.scores(p.queryRows[row], kt, p.d, from, to, s);
                for (int j = from; j < to; j++) {
                    if (Float.isFinite(s[j]) && s[j] < floor) {
                        continue;
                    }
                    if (n == ids.length) {
                        ids = Arrays.copyOf(ids, 2 * n);
                        fl = Arrays.copyOf(fl, 2 * n);
                        exact = Arrays.copyOf(exact, 2 * n);
                    }
                    for (int c = 0; c < p.d; c++) {
                        key[c] = kt[c][j];
                    }
                    ids[n] = base + j;
                    fl[n] = s[j];
                    exact[n] = TokenScore.exact(p.scale, p.rawQueries, qOffset, key, 0, p.d);
                    n++;
                }
            }
        }
        // Best first: higher exact score by Double.compare (as the reference), then the lower key.
        Integer[] order = new Integer[n];
        for (int t = 0; t < n; t++) {
            order[t] = t;
        }
        final int[] idsF = ids;
        final double[] exactF = exact;
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(exactF[b], exactF[a]);
            return c != 0 ? c : Integer.compare(idsF[a], idsF[b]);
        });
        int kept = Math.min(k, n);
        long[] packed = new long[kept];
        for (int t = 0; t < kept; t++) {
            packed[t] = ((long) ids[order[t]] << 32) | order[t];
        }
        Arrays.sort(packed);
        for (int t = 0; t < kept; t++) {
            int at = (int) packed[t];
            keys[t] = ids[at];
            w[t] = fl[at];
        }
        return kept;
    }
}
