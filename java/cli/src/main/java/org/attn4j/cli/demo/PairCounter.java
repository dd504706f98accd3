package org.attn4j.cli.demo;

import org.attn4j.AttentionRequest;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.BlockTopK;
import org.attn4j.mask.BlockTopKSelection;
import org.attn4j.mask.StaticMask;
import org.attn4j.mask.Tiles;

/**
 * Counts the (query, key) pairs a request attends, summed over batch and heads, as the SPEC defines them: the static
 * masks, then the dynamic block top-k selection, then token top-k (which keeps {@code min(K, allowed)} per row).
 * Used when a provider does not report {@link org.attn4j.AttentionResult#allowedPairs()}; it works per row and tile,
 * never per pair.
 */
public final class PairCounter {
    private PairCounter() {
    }

    public static long count(AttentionRequest r) {
        StaticMask mask = StaticMask.of(r);
        BlockMask blockMask = r.blockMask().orElse(null);
        BlockTopK topK = r.blockTopK().orElse(null);
        int tokenK = r.tokenTopK().map(t -> t.k()).orElse(Integer.MAX_VALUE);
        float[] q = topK != null ? r.q().toFloatArray() : null;
        float[] k = topK != null ? r.k().toFloatArray() : null;
        int nq = r.queryLength();
        int nk = r.keyLength();
        int d = r.headDim();
        int[] intervals = new int[4];
        long total = 0;
        for (int b = 0; b < r.batch(); b++) {
            for (int h = 0; h < r.queryHeads(); h++) {
                int[][] kept = null;
                if (topK != null) {
                    int qOffset = (b * r.queryHeads() + h) * nq * d;
                    int kOffset = (b * r.kvHeads() + h / r.groupSize()) * nk * d;
                    kept = BlockTopKSelection.select(mask, topK, b, h, r.scale(), q, qOffset, k, kOffset, d);
                }
                for (int i = 0; i < nq; i++) {
                    int n = mask.rowIntervals(i, intervals);
                    long row = 0;
                    if (kept == null) {
                        row = countInRange(blockMask, b, h, i, intervals, n, 0, nk);
                    } else {
                        for (int kb : kept[i / topK.blockQ()]) {
                            row += countInRange(blockMask, b, h, i, intervals, n, Tiles.start(kb, topK.blockK()),
                                    Tiles.end(kb, topK.blockK(), nk));
                        }
                    }
                    total += Math.min(row, tokenK);
                }
            }
        }
        return total;
    }

    /** Allowed keys of row {@code i} within {@code [j0, j1)}: its intervals, cut by the block mask's tiles. */
    private static long countInRange(BlockMask blockMask, int b, int h, int i, int[] intervals, int n, int j0, int j1) {
        long c = 0;
        for (int t = 0; t < n; t++) {
            int lo = Math.max(intervals[2 * t], j0);
            int hi = Math.min(intervals[2 * t + 1], j1);
            if (hi <= lo) {
                continue;
            }
            if (blockMask == null) {
                c += hi - lo;
                continue;
            }
            int bk = blockMask.blockK();
            int qb = i / blockMask.blockQ();
            for (int kb = lo / bk; Tiles.start(kb, bk) < hi; kb++) {
                if (blockMask.get(b, h, qb, kb)) {
                    c += Tiles.end(kb, bk, hi) - Math.max(lo, Tiles.start(kb, bk));
                }
            }
        }
        return c;
    }
}
