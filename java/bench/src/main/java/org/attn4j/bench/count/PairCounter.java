package org.attn4j.bench.count;

import org.attn4j.mask.BlockMask;
import org.attn4j.mask.BlockTopK;
import org.attn4j.mask.BlockTopKSelection;
import org.attn4j.mask.StaticMask;
import org.attn4j.mask.Tiles;
import org.attn4j.mask.TokenTopK;
import org.attn4j.bench.workload.MaskInstance;
import org.attn4j.bench.workload.Shape;

/**
 * Counts {@code P}, the (query, key) pairs a mask leaves, summed over batch and heads (SPEC, "Counting work"): the
 * static masks row by row from their intervals and block cells, then block top-k's selection (the SPEC's rule, shared
 * with the providers through {@link BlockTopKSelection}), then token top-k's {@code min(k, allowed)} per row.
 */
public final class PairCounter {

    /** Reads one head's rows as floats, {@code [N, D]} row-major; only block top-k needs the data. */
    public interface HeadReader {
        float[] queries(int batch, int head);

        float[] keys(int batch, int kvHead);
    }

    private PairCounter() {
    }

    /**
     * {@code P} for {@code mask} on {@code shape}.
     *
     * @param scale score scale (block top-k ranks tiles by scaled mean dot products)
     * @param data  the inputs, needed only when the mask has block top-k (may be null otherwise)
     */
    public static long count(Shape shape, MaskInstance mask, double scale, HeadReader data) {
        StaticMask sm = mask.staticMask(shape.seqQ(), shape.seqK());
        BlockMask bm = mask.blockMask();
        BlockTopK topBlocks = mask.blockTopK();
        if (topBlocks != null && data == null) {
            throw new IllegalArgumentException("data: block top-k needs the inputs to count pairs");
        }
        boolean sameForBatches = topBlocks == null && (bm == null || bm.batch() == 1);
        boolean sameForHeads = topBlocks == null && (bm == null || bm.heads() == 1);
        int batches = sameForBatches ? 1 : shape.batch();
        int heads = sameForHeads ? 1 : shape.headsQ();
        long total = 0;
        int group = shape.headsQ() / shape.headsKv();
        for (int b = 0; b < batches; b++) {
            for (int h = 0; h < heads; h++) {
                boolean[][] kept = null;
                if (topBlocks != null) {
                    kept = keptTiles(BlockTopKSelection.select(sm, topBlocks, b, h, scale, data.queries(b, h), 0,
                            data.keys(b, h / group), 0, shape.headDim()), Tiles.ceilDiv(shape.seqK(), topBlocks.blockK()));
                }
                total += countHead(shape, sm, bm, topBlocks, mask.tokenTopK(), kept, b, h);
            }
        }
        return total * (sameForBatches ? shape.batch() : 1) * (sameForHeads ? shape.headsQ() : 1);
    }

    /** Pairs of one (batch, head), after every mask. */
    static long countHead(Shape shape, StaticMask sm, BlockMask bm, BlockTopK topBlocks, TokenTopK topTokens,
                          boolean[][] kept, int b, int h) {
        int[] iv = new int[4];
        long total = 0;
        for (int i = 0; i < shape.seqQ(); i++) {
            boolean[] rowTiles = kept == null ? null : kept[i / topBlocks.blockQ()];
            long n = rowAllowed(sm, bm, b, h, i, rowTiles, topBlocks == null ? 1 : topBlocks.blockK(), iv);
            if (topTokens != null) {
                n = Math.min(n, topTokens.k());
            }
            total += n;
        }
        return total;
    }

    /**
     * Allowed keys of row {@code i}: its static intervals, cut by the block mask's cells and by the kept top-k tiles
     * ({@code keptTiles} may be null).
     */
    static long rowAllowed(StaticMask sm, BlockMask bm, int b, int h, int i, boolean[] keptTiles, int tileK,
                           int[] iv) {
        int n = sm.rowIntervals(i, iv);
        long count = 0;
        for (int t = 0; t < n; t++) {
            int lo = iv[2 * t];
            int hi = iv[2 * t + 1];
            if (bm == null && keptTiles == null) {
                count += hi - lo;
                continue;
            }
            int j = lo;
            while (j < hi) {
                int end = hi;
                boolean allowed = true;
                if (bm != null) {
                    end = Tiles.end(j / bm.blockK(), bm.blockK(), end);
                    allowed = bm.get(b, h, i / bm.blockQ(), j / bm.blockK());
                }
                if (keptTiles != null) {
                    end = Tiles.end(j / tileK, tileK, end);
                    allowed &= keptTiles[j / tileK];
                }
                if (allowed) {
                    count += end - j;
                }
                j = end;
            }
        }
        return count;
    }

    private static boolean[][] keptTiles(int[][] kept, int kTiles) {
        boolean[][] out = new boolean[kept.length][kTiles];
        for (int qb = 0; qb < kept.length; qb++) {
            for (int kb : kept[qb]) {
                out[qb][kb] = true;
            }
        }
        return out;
    }
}
