package org.attn4j.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The SPEC's edge rules for the shared mask code: windows when Nq > Nk, tile counts near int overflow, ranking. */
class SemanticsEdgeTest {

    /** FlashAttention's local attention: rows whose aligned position i' is negative are not global tokens. */
    @Test
    void rowsBeforeTheFirstKeyAreNotGlobalTokens() {
        // Nq = 5, Nk = 1, window (0, 0): i' = i - 4, so only the last row (i' = 0) sees key 0.
        StaticMask m = new StaticMask(5, 1, false, SlidingWindow.of(0, 0), null);
        int[] iv = new int[4];
        for (int i = 0; i < 4; i++) {
            assertEquals(false, m.allowed(0, 0, i, 0), "row " + i);
            assertEquals(0, m.rowIntervals(i, iv), "row " + i);
        }
        assertTrue(m.allowed(0, 0, 4, 0));
        assertEquals(1, m.countAllowed(0, 0));
        assertEquals(TileKind.PARTIAL, m.classify(0, 0, 0, 5, 0, 1));
        assertEquals(TileKind.EMPTY, m.classify(0, 0, 0, 4, 0, 1));
    }

    /** Global keys stay visible to every row, and a row with 0 <= i' < G sees every key. */
    @Test
    void globalTokensWithNegativeAlignedPositions() {
        // Nq = 8, Nk = 4, window (1, 0), G = 2: i' = i - 4.
        StaticMask m = new StaticMask(8, 4, false, SlidingWindow.of(1, 0, 2), null);
        int[] iv = new int[4];
        assertEquals(1, m.rowIntervals(0, iv)); // i' = -4: the global keys only
        assertArrayEquals(new int[] {0, 2}, new int[] {iv[0], iv[1]});
        assertEquals(4, m.rowCount(4));         // i' = 0: a global token, every key
        assertEquals(4, m.rowCount(5));         // i' = 1 < G
        assertEquals(2, m.rowCount(3));         // i' = -1: the window [-2, -1] is empty, the global keys remain
        assertEquals(3, m.rowCount(6));         // i' = 2: window {1, 2} and global {0, 1}
        assertEquals(4, m.rowCount(7));         // i' = 3: global {0, 1} and window {2, 3}
    }

    @Test
    void ceilDivDoesNotOverflow() {
        assertEquals(1, Tiles.ceilDiv(19, Integer.MAX_VALUE));
        assertEquals(1, Tiles.ceilDiv(Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertEquals(2, Tiles.ceilDiv(Integer.MAX_VALUE, Integer.MAX_VALUE - 1));
        assertEquals(0, Tiles.ceilDiv(0, 5));
        assertEquals(3, Tiles.ceilDiv(7, 3));
        assertEquals(Integer.MAX_VALUE, Tiles.end(0, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertEquals(19, Tiles.end(0, Integer.MAX_VALUE, 19));
        assertEquals(Integer.MAX_VALUE, Tiles.start(2, Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> Tiles.ceilDiv(3, 0));
    }

    /** The example: a valid one-cell mask with block sizes of Integer.MAX_VALUE on N = 19. */
    @Test
    void blockMaskWithHugeBlocksFitsShortSequences() {
        BlockMask mask = BlockMask.of(new boolean[][] {{true}}, Integer.MAX_VALUE, Integer.MAX_VALUE);
        mask.validateFor(1, 1, 19, 19);
        StaticMask m = new StaticMask(19, 19, true, null, mask);
        assertEquals(19 * 20 / 2, m.countAllowed(0, 0));
        assertEquals(TileKind.PARTIAL, m.classify(0, 0, 0, 19, 0, 19));
        assertEquals(TileKind.FULL, m.classify(0, 0, 18, 19, 0, 19));
    }

    @Test
    void blockTopKWithHugeBlocksKeepsTheOnlyTile() {
        StaticMask m = new StaticMask(19, 19, false, null, null);
        float[] x = new float[19 * 2];
        int[][] kept = BlockTopKSelection.select(m, BlockTopK.of(1, Integer.MAX_VALUE, Integer.MAX_VALUE), 0, 0,
                1.0, x, 0, x, 0, 2);
        assertEquals(1, kept.length);
        assertArrayEquals(new int[] {0}, kept[0]);
    }

    /** With scale 0 the tile scores are +0.0 and -0.0: numbers that tie, so the lower tiles win. */
    @Test
    void blockTopKTiesNegativeAndPositiveZero() {
        // D = 1, one query of value 1, four key tiles of one key each: dots 2, -1, 3, -4, scores +0, -0, +0, -0.
        StaticMask m = new StaticMask(1, 4, false, null, null);
        float[] q = {1};
        float[] k = {2, -1, 3, -4};
        int[][] kept = BlockTopKSelection.select(m, BlockTopK.of(2, 1, 1), 0, 0, 0.0, q, 0, k, 0, 1);
        assertArrayEquals(new int[] {0, 1}, kept[0]);
    }

    @Test
    void selectionOrder() {
        assertTrue(SelectionOrder.ranksBefore(Double.NaN, 5, Double.POSITIVE_INFINITY, 0));
        assertTrue(SelectionOrder.ranksBefore(Double.NaN, 1, Double.NaN, 2));
        assertTrue(SelectionOrder.ranksBefore(-0.0, 1, 0.0, 2));
        assertTrue(SelectionOrder.ranksBefore(0.0, 1, -0.0, 2));
        assertTrue(SelectionOrder.ranksBefore(2.0, 9, 1.0, 0));
        assertTrue(SelectionOrder.ranksBefore(Double.NEGATIVE_INFINITY, 0, Double.NEGATIVE_INFINITY, 1));
        assertEquals(0, SelectionOrder.compare(-0.0, 3, 0.0, 3));
    }
}
