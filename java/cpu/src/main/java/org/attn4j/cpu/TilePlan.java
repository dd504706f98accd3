package org.attn4j.cpu;

import org.attn4j.mask.BlockMask;
import org.attn4j.mask.BlockTopK;
import org.attn4j.mask.StaticMask;
import org.attn4j.mask.TileKind;
import org.attn4j.mask.Tiles;

/**
 * Which tiles of one (batch, head) are computed, and how: {@link #EMPTY} tiles are skipped, {@link #FULL} tiles run
 * without per-element masking, {@link #PARTIAL} tiles mask each row with {@link #maskRow}. Combines the static masks
 * ({@link StaticMask#classify}) with the block top-k selection, so the work done grows with the pairs kept.
 */
final class TilePlan {
    static final byte EMPTY = 0;
    static final byte PARTIAL = 1;
    static final byte FULL = 2;

    private final int b;
    private final int h;
    private final StaticMask mask;
    private final BlockMask blockMask;
    private final TileGeometry g;
    /** {@code [queryTiles * keyTiles]}, or null when every tile is full (no mask at all). */
    private final byte[] kinds;
    /** Block top-k: {@code selected[qb][kb]} over the selection's own cells; null without block top-k. */
    private final boolean[][] selected;
    private final int selQ;
    private final int selK;

    private TilePlan(int b, int h, StaticMask mask, BlockMask blockMask, TileGeometry g, byte[] kinds,
                     boolean[][] selected, BlockTopK topK) {
        this.b = b;
        this.h = h;
        this.mask = mask;
        this.blockMask = blockMask;
        this.g = g;
        this.kinds = kinds;
        this.selected = selected;
        this.selQ = topK == null ? 0 : topK.blockQ();
        this.selK = topK == null ? 0 : topK.blockK();
    }

    /**
     * The plan of batch {@code b}, query head {@code h}.
     *
     * @param kept block top-k's kept key cells per query cell (from {@code BlockTopKSelection}), or null
     */
    static TilePlan build(int b, int h, StaticMask mask, BlockMask blockMask, TileGeometry g, BlockTopK topK,
                          int[][] kept) {
        boolean[][] selected = null;
        if (kept != null) {
            int keyCells = Tiles.ceilDiv(mask.keyLength(), topK.blockK());
            selected = new boolean[kept.length][keyCells];
            for (int qb = 0; qb < kept.length; qb++) {
                for (int kb : kept[qb]) {
                    selected[qb][kb] = true;
                }
            }
        }
        if (mask.isDense() && selected == null) {
            return new TilePlan(b, h, mask, blockMask, g, null, null, null);
        }
        byte[] kinds = new byte[g.queryTiles * g.keyTiles];
        int nq = mask.queryLength();
        int nk = mask.keyLength();
        for (int qt = 0; qt < g.queryTiles; qt++) {
            int i0 = g.queryStart(qt);
            int i1 = Math.min(nq, i0 + g.queryTile);
            for (int kt = 0; kt < g.keyTiles; kt++) {
                int j0 = g.keyStart(kt);
                int j1 = Math.min(nk, j0 + g.keyTile);
                TileKind k = mask.classify(b, h, i0, i1, j0, j1);
                byte kind = k == TileKind.EMPTY ? EMPTY : k == TileKind.FULL ? FULL : PARTIAL;
                if (kind != EMPTY && selected != null) {
                    kind = narrowBySelection(kind, selected, topK, i0, i1, j0, j1);
                }
                kinds[qt * g.keyTiles + kt] = kind;
            }
        }
        return new TilePlan(b, h, mask, blockMask, g, kinds, selected, topK);
    }

    /** EMPTY if the tile touches no selected cell, unchanged if every cell it touches is selected, else PARTIAL. */
    private static byte narrowBySelection(byte kind, boolean[][] selected, BlockTopK topK, int i0, int i1, int j0,
                                          int j1) {
        boolean any = false;
        boolean all = true;
        for (int qb = i0 / topK.blockQ(); qb <= (i1 - 1) / topK.blockQ(); qb++) {
            for (int kb = j0 / topK.blockK(); kb <= (j1 - 1) / topK.blockK(); kb++) {
                if (selected[qb][kb]) {
                    any = true;
                } else {
                    all = false;
                }
            }
        }
        return !any ? EMPTY : all ? kind : PARTIAL;
    }

    byte kind(int qt, int kt) {
        return kinds == null ? FULL : kinds[qt * g.keyTiles + kt];
    }

    /** True when no tile needs masking and none is skipped. */
    boolean isDense() {
        return kinds == null;
    }

    /** Keys a query tile computes (the sum of its non-empty key tiles' widths): a row buffer's capacity. */
    int keysInRow(int qt, int nk) {
        if (kinds == null) {
            return nk;
        }
        int total = 0;
        for (int kt = 0; kt < g.keyTiles; kt++) {
            if (kinds[qt * g.keyTiles + kt] != EMPTY) {
                total += Math.min(g.keyTile, nk - g.keyStart(kt));
            }
        }
        return total;
    }

    /** Number of non-empty tiles, a measure of the work. */
    long liveTiles() {
        if (kinds == null) {
            return (long) g.queryTiles * g.keyTiles;
        }
        long n = 0;
        for (byte k : kinds) {
            if (k != EMPTY) {
                n++;
            }
        }
        return n;
    }

    /**
     * Which keys {@code j0 .. j0 + n - 1} query {@code i} may attend to (static masks and block top-k; token top-k
     * is applied later). Returns how many; {@code span} receives the smallest range {@code [span[0], span[1])} of
     * tile columns holding them all, so that the kernels skip the rest of the row (the upper triangle of a diagonal
     * tile, the outside of a window). When the count equals the span's width every key of the span is allowed and
     * {@code allowed} is left untouched; otherwise {@code allowed[t]} says whether column {@code t} is.
     *
     * @param intervals scratch of length >= 4
     */
    int maskRow(int i, int j0, int n, boolean[] allowed, int[] intervals, int[] span) {
        int j1 = j0 + n;
        int count = mask.rowIntervals(i, intervals);
        if (blockMask == null && selected == null && count <= 1) {
            // One interval of allowed keys (causal and/or a window): no per-column flags needed.
            int lo = count == 0 ? j0 : Math.max(intervals[0], j0);
            int hi = count == 0 ? j0 : Math.min(intervals[1], j1);
            if (hi <= lo) {
                span[0] = 0;
                span[1] = 0;
                return 0;
            }
            span[0] = lo - j0;
            span[1] = hi - j0;
            return hi - lo;
        }
        for (int t = 0; t < n; t++) {
            allowed[t] = false;
        }
        for (int v = 0; v < count; v++) {
            int lo = Math.max(intervals[2 * v], j0);
            int hi = Math.min(intervals[2 * v + 1], j1);
            for (int j = lo; j < hi; j++) {
                allowed[j - j0] = true;
            }
        }
        if (blockMask != null) {
            int bq = blockMask.blockQ();
            int bk = blockMask.blockK();
            for (int kb = j0 / bk; Tiles.start(kb, bk) < j1; kb++) {
                if (!blockMask.get(b, h, i / bq, kb)) {
                    clear(allowed, Math.max(j0, Tiles.start(kb, bk)) - j0, Tiles.end(kb, bk, j1) - j0);
                }
            }
        }
        if (selected != null) {
            boolean[] row = selected[i / selQ];
            for (int kb = j0 / selK; Tiles.start(kb, selK) < j1; kb++) {
                if (!row[kb]) {
                    clear(allowed, Math.max(j0, Tiles.start(kb, selK)) - j0, Tiles.end(kb, selK, j1) - j0);
                }
            }
        }
        int allowedCount = 0;
        int first = n;
        int last = -1;
        for (int t = 0; t < n; t++) {
            if (allowed[t]) {
                allowedCount++;
                first = Math.min(first, t);
                last = t;
            }
        }
        span[0] = allowedCount == 0 ? 0 : first;
        span[1] = last + 1;
        return allowedCount;
    }

    private static void clear(boolean[] a, int from, int to) {
        for (int t = from; t < to; t++) {
            a[t] = false;
        }
    }
}
