package org.attn4j.conformance;

import java.util.Random;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.Tiles;

/** How a case draws its block mask: the SPEC's two forms, broadcast over batch, and masks that empty whole rows. */
enum BlockPattern {
    /** Shape {@code [QB, KB]}, shared by every batch and head; cells true with probability 0.6. */
    GRID("[QB,KB]"),
    /** Shape {@code [B, Hq, QB, KB]}: a different grid per batch and head; cells true with probability 0.5. */
    PER_HEAD("[B,Hq,QB,KB]"),
    /** Shape {@code [1, Hq, QB, KB]}: per head, broadcast over batch. */
    PER_HEAD_BROADCAST_BATCH("[1,Hq,QB,KB]"),
    /** Shape {@code [QB, KB]}, all true except one query tile, whose rows are then fully masked. */
    EMPTY_QUERY_TILE("[QB,KB] one query tile empty"),
    /** Shape {@code [QB, KB]}, all false: every row fully masked. */
    NONE("[QB,KB] all false");

    private final String label;

    BlockPattern(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    BlockMask create(int batch, int queryHeads, int queryLength, int keyLength, int blockQ, int blockK, Random rnd) {
        int qb = Tiles.ceilDiv(queryLength, blockQ);
        int kb = Tiles.ceilDiv(keyLength, blockK);
        switch (this) {
            case GRID:
                return BlockMask.of(cells(qb * kb, 0.6, rnd), new int[] {qb, kb}, blockQ, blockK);
            case PER_HEAD:
                return BlockMask.of(cells(batch * queryHeads * qb * kb, 0.5, rnd),
                        new int[] {batch, queryHeads, qb, kb}, blockQ, blockK);
            case PER_HEAD_BROADCAST_BATCH:
                return BlockMask.of(cells(queryHeads * qb * kb, 0.5, rnd), new int[] {1, queryHeads, qb, kb},
                        blockQ, blockK);
            case EMPTY_QUERY_TILE: {
                int empty = qb > 1 ? 1 : 0;
                boolean[] grid = new boolean[qb * kb];
                for (int q = 0; q < qb; q++) {
                    for (int k = 0; k < kb; k++) {
                        grid[q * kb + k] = q != empty;
                    }
                }
                return BlockMask.of(grid, new int[] {qb, kb}, blockQ, blockK);
            }
            case NONE:
                return BlockMask.of(new boolean[qb * kb], new int[] {qb, kb}, blockQ, blockK);
            default:
                throw new IllegalStateException("unknown pattern " + this);
        }
    }

    private static boolean[] cells(int n, double density, Random rnd) {
        boolean[] c = new boolean[n];
        for (int i = 0; i < n; i++) {
            c[i] = rnd.nextDouble() < density;
        }
        return c;
    }
}
