package org.attn4j.model.encdec;

import java.util.Arrays;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.Tiles;

/**
 * The static random block masks of {@code blockmask:F,B}: for each query tile of {@code B} positions, the fraction
 * {@code F} of the candidate key tiles, chosen by a hash of (layer, kind, query tile, key tile) so that the pattern is
 * the same for every input, in training and at every generation step. The encoder and the decoder always keep the
 * diagonal tile (a row then always has a key, and the decoder's recent context); the decoder's candidates are the tiles
 * up to its own (causal).
 */
final class StaticBlocks {
    private StaticBlocks() {
    }

    static BlockMask mask(AttentionKind kind, Sparsity s, CallShape c, long salt) {
        int bs = s.blockSize();
        int keyTiles = Tiles.ceilDiv(c.keyLength(), bs);
        if (kind == AttentionKind.ENCODER) {
            boolean[][] grid = new boolean[keyTiles][];
            for (int qt = 0; qt < keyTiles; qt++) {
                grid[qt] = row(kind, s, salt, qt, keyTiles, qt);
            }
            return BlockMask.of(grid, bs, bs);
        }
        // One-row query tiles: a row takes the choice of the query tile its position lies in.
        boolean[][] grid = new boolean[c.queryLength()][];
        for (int i = 0; i < c.queryLength(); i++) {
            int qt = (c.firstQuery() + i) / bs;
            boolean[] full = kind == AttentionKind.DECODER ? row(kind, s, salt, qt, qt + 1, qt)
                    : row(kind, s, salt, qt, keyTiles, -1);
            grid[i] = Arrays.copyOf(full, keyTiles);
        }
        return BlockMask.of(grid, 1, bs);
    }

    /** Query tile {@code qt}'s kept key tiles among {@code candidates}, {@code diagonal} always kept (-1: none). */
    private static boolean[] row(AttentionKind kind, Sparsity s, long salt, int qt, int candidates, int diagonal) {
        int kept = s.blocks(candidates);
        long[] order = new long[candidates];
        for (int kt = 0; kt < candidates; kt++) {
            // high bits: the hash, low bits: the tile, so sorting ranks tiles by hash (ties cannot occur)
            long h = mix(salt * 31 + kind.ordinal(), qt, kt);
            order[kt] = kt == diagonal ? Long.MIN_VALUE + kt : ((h >>> 21) << 20) | kt;
        }
        Arrays.sort(order);
        boolean[] out = new boolean[candidates];
        for (int i = 0; i < kept; i++) {
            out[(int) (order[i] & ((1 << 20) - 1))] = true;
        }
        return out;
    }

    private static long mix(long a, long b, long c) {
        long z = a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL + c * 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
