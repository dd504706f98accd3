package org.attn4j.model.encdec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attn4j.mask.BlockMask;
import org.attn4j.model.nn.GradCheck;
import org.junit.jupiter.api.Test;

/** The masks each attention kind makes of a sparsity pattern. */
class MaskPlannerTest {

    @Test
    void causalBlockTopKKeepsTheOwnTileAndTheBestEarlierOnes() {
        // one head, Dh = 1, keys 0..7 in tiles of 2; the query is 1, so the best tiles have the largest mean key
        float[] k = {0, 0, 5, 5, 1, 1, 9, 9};
        float[] q = new float[8];
        java.util.Arrays.fill(q, 1f);
        CallShape c = new CallShape(1, 1, 8, 8, 1, 0, 8);
        BlockMask m = CausalBlockTopK.select(q, k, c, 2, 2);
        // row 7 (tile 3): itself and the best of tiles 0..2, which is tile 1 (mean 5)
        assertTrue(m.get(0, 0, 7, 3));
        assertTrue(m.get(0, 0, 7, 1));
        assertFalse(m.get(0, 0, 7, 0));
        assertFalse(m.get(0, 0, 7, 2));
        // row 1 (tile 0) has no earlier tile
        assertTrue(m.get(0, 0, 1, 0));
        assertFalse(m.get(0, 0, 1, 1));
        // row 4 (tile 2): itself and tile 1
        assertTrue(m.get(0, 0, 4, 2));
        assertTrue(m.get(0, 0, 4, 1));
        assertFalse(m.get(0, 0, 4, 0));
    }

    @Test
    void causalBlockTopKOfARowIgnoresLaterKeys() {
        int n = 12;
        int dh = 3;
        float[] q = GradCheck.gaussian(n * dh, 1, 1);
        float[] k = GradCheck.gaussian(n * dh, 1, 2);
        BlockMask full = CausalBlockTopK.select(q, k, new CallShape(1, 1, n, n, dh, 0, n), 3, 2);
        for (int row = 0; row < n; row++) {
            // a generation step: the row's query alone, over the keys up to itself
            float[] qRow = java.util.Arrays.copyOfRange(q, row * dh, (row + 1) * dh);
            float[] kPrefix = java.util.Arrays.copyOf(k, (row + 1) * dh);
            BlockMask step = CausalBlockTopK.select(qRow, kPrefix, new CallShape(1, 1, 1, row + 1, dh, row, n), 3, 2);
            for (int tile = 0; tile <= row / 3; tile++) {
                assertEquals(full.get(0, 0, row, tile), step.get(0, 0, 0, tile), "row " + row + ", tile " + tile);
            }
            for (int tile = row / 3 + 1; tile < 4; tile++) {
                assertFalse(full.get(0, 0, row, tile), "row " + row + " keeps the later tile " + tile);
            }
        }
    }

    @Test
    void staticBlocksKeepTheFractionAndTheDiagonal() {
        Sparsity s = Sparsity.blockMask(0.25, 4);
        BlockMask enc = StaticBlocks.mask(AttentionKind.ENCODER, s, new CallShape(1, 1, 64, 64, 1, 0, 1), 7);
        for (int qt = 0; qt < 16; qt++) {
            int kept = 0;
            for (int kt = 0; kt < 16; kt++) {
                kept += enc.get(0, 0, qt, kt) ? 1 : 0;
            }
            assertEquals(4, kept, "query tile " + qt);
            assertTrue(enc.get(0, 0, qt, qt));
        }
        // another layer draws another pattern
        BlockMask other = StaticBlocks.mask(AttentionKind.ENCODER, s, new CallShape(1, 1, 64, 64, 1, 0, 1), 8);
        boolean differs = false;
        for (int qt = 0; qt < 16; qt++) {
            for (int kt = 0; kt < 16; kt++) {
                differs |= enc.get(0, 0, qt, kt) != other.get(0, 0, qt, kt);
            }
        }
        assertTrue(differs);
        // the decoder's rows: causal candidates, the same choice in a generation step as in the full pass
        BlockMask dec = StaticBlocks.mask(AttentionKind.DECODER, s, new CallShape(1, 1, 20, 20, 1, 0, 20), 7);
        BlockMask step = StaticBlocks.mask(AttentionKind.DECODER, s, new CallShape(1, 1, 1, 14, 1, 13, 20), 7);
        for (int kt = 0; kt < 4; kt++) {
            assertEquals(dec.get(0, 0, 13, kt), step.get(0, 0, 0, kt));
        }
        assertFalse(dec.get(0, 0, 5, 2), "row 5 (tile 1) must not see tile 2");
    }

    @Test
    void crossWindowIsCentredOnTheProportionalPosition() {
        // 4 decoder rows over 40 encoder positions: row t is centred on (t + 1/2) * 10
        BlockMask m = MaskPlanner.crossWindow(Sparsity.window(2, 1), new CallShape(1, 1, 4, 40, 1, 0, 4));
        for (int t = 0; t < 4; t++) {
            int centre = (int) Math.floor((t + 0.5) * 10);
            for (int j = 0; j < 40; j++) {
                assertEquals(j == 0 || Math.abs(j - centre) <= 2, m.get(0, 0, t, j), "row " + t + ", key " + j);
            }
        }
    }

    @Test
    void sparsityParsesEveryPatternAndNamesTheFlag() {
        assertEquals(Sparsity.dense(), Sparsity.parse("dense"));
        assertEquals(Sparsity.window(8, 2), Sparsity.parse("window:8,2"));
        assertEquals(Sparsity.tokenTopK(4), Sparsity.parse("tokentopk:4"));
        assertEquals(Sparsity.tokenTopKFraction(0.3), Sparsity.parse("tokentopk:0.3"));
        assertEquals(Sparsity.blockTopK(2, 16), Sparsity.parse("blocktopk:2,16"));
        assertEquals(Sparsity.blockTopKFraction(0.5, 16), Sparsity.parse("blocktopk:0.5,16"));
        assertEquals(Sparsity.blockMask(0.5, 8), Sparsity.parse("blockmask:0.5,8"));
        for (String s : new String[] {"dense", "window:8,2", "tokentopk:4", "tokentopk:0.3", "blocktopk:0.5,16",
            "blockmask:0.5,8"}) {
            assertEquals(s, Sparsity.parse(s).label());
        }
        assertEquals(3, Sparsity.tokenTopKFraction(0.3).keys(10));
        assertEquals(1, Sparsity.tokenTopKFraction(0.01).keys(10));
        assertEquals(10, Sparsity.tokenTopK(40).keys(10));
        for (String bad : new String[] {"sparse", "window:8", "tokentopk:0", "tokentopk:1.5", "blocktopk:2,0",
            "tokentopk:x", "dense:1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sparsity.parse(bad));
            assertTrue(e.getMessage().startsWith("attention: "), e.getMessage());
        }
    }
}
