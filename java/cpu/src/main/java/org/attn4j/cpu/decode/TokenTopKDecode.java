package org.attn4j.cpu.decode;

import org.attn4j.Normalizer;
import org.attn4j.cpu.BufferedRows;
import org.attn4j.cpu.CpuThreads;
import org.attn4j.cpu.Kernels;

/**
 * Token top-k decode, with any normalizer: each task scores its range of kept keys and keeps, per row, the best
 * {@code k} in a heap ({@link TopKHeap}; no buffer of the whole row); per row, the tasks' heaps merge into the row's
 * top {@code k}, whose weights the normalizer gives (over the {@code k} kept, as the SPEC orders it), and whose value
 * rows are summed. The scores are those of every other path, so the same keys are kept.
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
                mine[r] = new TopKHeap(k);
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
            TopKHeap merged = new TopKHeap(k);
            for (int t = p.firstTask[g]; t < p.firstTask[g + 1]; t++) {
                merged.merge(heaps[t * rows + r]);
            }
            float[] w = new float[Math.max(1, k)];
            int[] keys = new int[Math.max(1, k)];
            int n = merged.sortedByKey(w, keys);
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
}
