package org.attn4j.bench.check;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.BlockTopK;
import org.attn4j.mask.StaticMask;
import org.attn4j.mask.TileKind;
import org.attn4j.mask.Tiles;
import org.attn4j.bench.workload.MaskInstance;
import org.attn4j.bench.workload.Shape;

/**
 * Chooses the slices the reference recomputes. The float64 reference costs {@code O(Nq Nk D)} per head, far too much
 * for full benchmark shapes, so it recomputes a few query tiles of two (batch, head) pairs: (0, 0) at the first and
 * last tile, (B-1, Hq-1) at the middle and last tile (the ends catch offset bugs, the middle the common case).
 *
 * <p>A slice must compute the same rows as the full problem, which needs care:
 * <ul>
 *   <li>Query tiles start and end on the tiles of the block mask and of block top-k (tile means are over whole query
 *       tiles), and hold at least 64 rows.</li>
 *   <li>Causal and window masks depend on the aligned position {@code i' = i + Nk - Nq}. A reduced problem of
 *       {@code m} rows and {@code c} keys aligns row {@code r} at {@code r + c - m}; taking the key prefix
 *       {@code c = a + m + Nk - Nq} for rows starting at {@code a} keeps every {@code i'}. That is exact only if the
 *       dropped keys {@code [c, Nk)} are masked for every sampled row (always so under causality; the static mask's
 *       tile classification decides otherwise), and, with block top-k, if {@code c} ends on a key tile (so the last
 *       tile's mean is unchanged). Tiles that fail this are replaced by the last tile, for which {@code c = Nk}.</li>
 *   <li>Without causal and window masks no rule depends on {@code i'}: any tile runs against all keys.</li>
 * </ul>
 */
public final class SamplePlanner {
    /** Fewest query rows in one sampled tile. */
    public static final int MIN_ROWS = 64;

    private SamplePlanner() {
    }

    public static List<Sample> plan(Shape shape, MaskInstance mask) {
        int tile = tileRows(mask);
        int tiles = Tiles.ceilDiv(shape.seqQ(), tile);
        int lastB = shape.batch() - 1;
        int lastH = shape.headsQ() - 1;
        Set<Sample> out = new LinkedHashSet<>();
        int[][] wanted = {{0, 0, 0}, {0, 0, tiles - 1}, {lastB, lastH, tiles / 2}, {lastB, lastH, tiles - 1}};
        for (int[] w : wanted) {
            Sample s = slice(shape, mask, w[0], w[1], w[2], tile);
            out.add(s != null ? s : slice(shape, mask, w[0], w[1], tiles - 1, tile));
        }
        return new ArrayList<>(out);
    }

    /** Rows per sampled tile: a multiple of every query- and key-tile size the masks use, at least 64. */
    static int tileRows(MaskInstance mask) {
        long t = 1;
        BlockMask bm = mask.blockMask();
        if (bm != null) {
            t = lcm(t, bm.blockQ());
        }
        BlockTopK top = mask.blockTopK();
        if (top != null) {
            t = lcm(lcm(t, top.blockQ()), top.blockK());
        }
        long rows = t * ((MIN_ROWS + t - 1) / t);
        if (rows > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("masks: tile sizes too large to sample (" + rows + " rows)");
        }
        return (int) rows;
    }

    /** The slice of tile {@code t}, or null when its key prefix would change the result. */
    static Sample slice(Shape shape, MaskInstance mask, int b, int h, int t, int tile) {
        int nq = shape.seqQ();
        int nk = shape.seqK();
        int a = t * tile;
        int m = Math.min(nq, a + tile) - a;
        boolean alignmentMatters = mask.causal() || mask.window() != null;
        if (!alignmentMatters) {
            return new Sample(b, h, a, m, nk);
        }
        long c = (long) a + m + (nk - nq);
        if (c >= nk) {
            return new Sample(b, h, a, m, nk);
        }
        if (c < 1) {
            return null;
        }
        if (mask.blockTopK() != null && c % mask.blockTopK().blockK() != 0) {
            return null;
        }
        StaticMask sm = mask.staticMask(nq, nk);
        if (sm.classify(b, h, a, a + m, (int) c, nk) != TileKind.EMPTY) {
            return null;
        }
        return new Sample(b, h, a, m, (int) c);
    }

    private static long lcm(long a, long b) {
        return a / gcd(a, b) * b;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
