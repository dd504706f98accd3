package org.attn4j.mask;

import org.attn4j.AttentionRequest;

/**
 * The static part of a request's mask (causal, sliding window with global tokens, block mask), evaluated per pair,
 * per row and per tile. Providers use it to skip empty tiles and to avoid per-element masking in full ones; it is
 * host code shared by every provider.
 *
 * <p>Without the block mask, row {@code i}'s allowed keys are the union of at most two intervals: the global keys
 * {@code [0, G)} and the window around the aligned position {@code i' = i + Nk - Nq}, both cut by causality. A row
 * with {@code 0 <= i' < G} is a global token and sees every key; a row with {@code i' < 0} (Nq > Nk) never is, so
 * its window may hold no key at all (SPEC).
 */
public final class StaticMask {
    private final int queryLength;
    private final int keyLength;
    private final int keyOffset;
    private final boolean causal;
    private final boolean windowed;
    private final int left;
    private final int right;
    private final int global;
    private final BlockMask blockMask;

    public StaticMask(int queryLength, int keyLength, boolean causal, SlidingWindow window, BlockMask blockMask) {
        this.queryLength = queryLength;
        this.keyLength = keyLength;
        this.keyOffset = keyLength - queryLength;
        this.causal = causal;
        this.windowed = window != null;
        this.left = window != null ? window.left() : 0;
        this.right = window != null ? window.right() : 0;
        this.global = window != null ? window.globalTokens() : 0;
        this.blockMask = blockMask;
    }

    public static StaticMask of(AttentionRequest r) {
        return new StaticMask(r.queryLength(), r.keyLength(), r.causal(), r.window().orElse(null),
                r.blockMask().orElse(null));
    }

    /** True when no static mask applies. */
    public boolean isDense() {
        return !causal && !windowed && blockMask == null;
    }

    /** True when the mask is the same for every batch and head (no block mask, or one broadcast over both). */
    public boolean isUniform() {
        return blockMask == null || (blockMask.batch() == 1 && blockMask.heads() == 1);
    }

    public int queryLength() {
        return queryLength;
    }

    public int keyLength() {
        return keyLength;
    }

    /** Whether query {@code i} may attend to key {@code j} in batch {@code b}, query head {@code h}. */
    public boolean allowed(int b, int h, int i, int j) {
        int ip = i + keyOffset;
        if (causal && j > ip) {
            return false;
        }
        if (windowed && !(j < global || isGlobalQuery(ip)) && (j < (long) ip - left || j > (long) ip + right)) {
            return false;
        }
        return blockMask == null || blockMask.get(b, h, i / blockMask.blockQ(), j / blockMask.blockK());
    }

    /** Whether the query at aligned position {@code ip} is a global token: {@code 0 <= i' < G}, never for i' < 0. */
    private boolean isGlobalQuery(long ip) {
        return ip >= 0 && ip < global;
    }

    /**
     * Writes row {@code i}'s allowed key intervals, ignoring the block mask, as {@code [start, end)} pairs into
     * {@code out} (length >= 4), sorted and disjoint, and returns how many (0, 1 or 2).
     */
    public int rowIntervals(int i, int[] out) {
        long ip = (long) i + keyOffset;
        long hi = keyLength; // exclusive
        if (causal) {
            hi = Math.min(hi, ip + 1);
        }
        if (hi <= 0) {
            return 0;
        }
        if (!windowed || isGlobalQuery(ip)) {
            out[0] = 0;
            out[1] = (int) hi;
            return 1;
        }
        long wLo = Math.max(0, ip - left);
        long wHi = Math.min(hi, ip + right + 1);
        long gHi = Math.min(global, hi);
        int n = 0;
        if (gHi > 0 && wLo <= gHi) {
            // Global keys and window touch or overlap: one interval.
            out[0] = 0;
            out[1] = (int) Math.max(gHi, wHi);
            return 1;
        }
        if (gHi > 0) {
            out[n++] = 0;
            out[n++] = (int) gHi;
        }
        if (wLo < wHi) {
            out[n++] = (int) wLo;
            out[n++] = (int) wHi;
        }
        return n / 2;
    }

    /** Number of keys row {@code i} may see, ignoring the block mask. */
    public int rowCount(int i) {
        int[] iv = new int[4];
        int n = rowIntervals(i, iv);
        int c = 0;
        for (int t = 0; t < n; t++) {
            c += iv[2 * t + 1] - iv[2 * t];
        }
        return c;
    }

    /**
     * Classifies the tile of queries {@code [i0, i1)} and keys {@code [j0, j1)} for batch {@code b}, query head
     * {@code h}: {@link TileKind#EMPTY} if no pair is allowed, {@link TileKind#FULL} if every pair is.
     */
    public TileKind classify(int b, int h, int i0, int i1, int j0, int j1) {
        if (i0 >= i1 || j0 >= j1) {
            return TileKind.EMPTY;
        }
        if (blockMask == null) {
            return classifyIntervals(i0, i1, j0, j1);
        }
        int bq = blockMask.blockQ();
        int bk = blockMask.blockK();
        boolean any = false;
        boolean all = true;
        // Split the tile along block-mask cell boundaries; each piece is either masked out or up to the intervals.
        for (int qb = i0 / bq; Tiles.start(qb, bq) < i1; qb++) {
            int pi0 = Math.max(i0, Tiles.start(qb, bq));
            int pi1 = Tiles.end(qb, bq, i1);
            for (int kb = j0 / bk; Tiles.start(kb, bk) < j1; kb++) {
                int pj0 = Math.max(j0, Tiles.start(kb, bk));
                int pj1 = Tiles.end(kb, bk, j1);
                if (!blockMask.get(b, h, qb, kb)) {
                    all = false;
                    if (any) {
                        return TileKind.PARTIAL;
                    }
                    continue;
                }
                TileKind piece = classifyIntervals(pi0, pi1, pj0, pj1);
                if (piece != TileKind.EMPTY) {
                    any = true;
                }
                if (piece != TileKind.FULL) {
                    all = false;
                }
                if (any && !all) {
                    return TileKind.PARTIAL;
                }
            }
        }
        return !any ? TileKind.EMPTY : all ? TileKind.FULL : TileKind.PARTIAL;
    }

    private TileKind classifyIntervals(int i0, int i1, int j0, int j1) {
        if (!causal && !windowed) {
            return TileKind.FULL;
        }
        int[] iv = new int[4];
        boolean any = false;
        boolean all = true;
        for (int i = i0; i < i1; i++) {
            int n = rowIntervals(i, iv);
            int covered = 0;
            for (int t = 0; t < n; t++) {
                int lo = Math.max(iv[2 * t], j0);
                int hi = Math.min(iv[2 * t + 1], j1);
                if (hi > lo) {
                    covered += hi - lo;
                }
            }
            if (covered > 0) {
                any = true;
            }
            if (covered < j1 - j0) {
                all = false;
            }
            if (any && !all) {
                return TileKind.PARTIAL;
            }
        }
        return !any ? TileKind.EMPTY : all ? TileKind.FULL : TileKind.PARTIAL;
    }

    /** Number of allowed (query, key) pairs for batch {@code b}, query head {@code h}. */
    public long countAllowed(int b, int h) {
        long total = 0;
        if (blockMask == null) {
            for (int i = 0; i < queryLength; i++) {
                total += rowCount(i);
            }
            return total;
        }
        int[] iv = new int[4];
        int bk = blockMask.blockK();
        for (int i = 0; i < queryLength; i++) {
            int qb = i / blockMask.blockQ();
            int n = rowIntervals(i, iv);
            for (int t = 0; t < n; t++) {
                int lo = iv[2 * t];
                int hi = iv[2 * t + 1];
                for (int kb = lo / bk; Tiles.start(kb, bk) < hi; kb++) {
                    if (blockMask.get(b, h, qb, kb)) {
                        total += Tiles.end(kb, bk, hi) - Math.max(lo, Tiles.start(kb, bk));
                    }
                }
            }
        }
        return total;
    }
}
