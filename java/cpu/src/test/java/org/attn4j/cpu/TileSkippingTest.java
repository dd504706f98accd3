package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.attn4j.AttentionRequest;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.StaticMask;
import org.junit.jupiter.api.Test;

/** The plans skip exactly the tiles the masks remove, so work follows the kept pairs. */
class TileSkippingTest {

    @Test
    void blockMaskCellsBecomeWholeTiles() {
        Random r = new Random(9);
        boolean[][] grid = new boolean[8][8];
        int on = 0;
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 8; j++) {
                grid[i][j] = r.nextDouble() < 0.3;
                on += grid[i][j] ? 1 : 0;
            }
        }
        try (Tensor q = Tensor.allocate(DType.FP32, 1, 1, 1024, 8); Tensor k = Tensor.allocate(DType.FP32, 1, 1, 1024, 8);
             Tensor v = Tensor.allocate(DType.FP32, 1, 1, 1024, 8)) {
            AttentionRequest req = AttentionRequest.builder(q, k, v).blockMask(BlockMask.of(grid, 128, 128)).build();
            TileGeometry g = TileGeometry.of(req);
            assertEquals(128, g.queryTile);
            assertEquals(128, g.keyTile);
            TilePlan plan = TilePlan.build(0, 0, StaticMask.of(req), req.blockMask().get(), g, null, null);
            assertEquals(on, plan.liveTiles());
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    assertEquals(grid[i][j] ? TilePlan.FULL : TilePlan.EMPTY, plan.kind(i, j));
                }
            }
        }
    }

    @Test
    void causalSkipsTheUpperTriangle() {
        try (Tensor q = Tensor.allocate(DType.FP32, 1, 1, 1024, 8); Tensor k = Tensor.allocate(DType.FP32, 1, 1, 1024, 8);
             Tensor v = Tensor.allocate(DType.FP32, 1, 1, 1024, 8)) {
            AttentionRequest req = AttentionRequest.builder(q, k, v).causal().build();
            TileGeometry g = TileGeometry.of(req);
            TilePlan plan = TilePlan.build(0, 0, StaticMask.of(req), null, g, null, null);
            long live = plan.liveTiles();
            long total = (long) g.queryTiles * g.keyTiles;
            assertTrue(live < 0.6 * total, live + " of " + total);
            for (int qt = 0; qt < g.queryTiles; qt++) {
                for (int kt = 0; kt < g.keyTiles; kt++) {
                    int lastRow = Math.min(1024, (qt + 1) * g.queryTile) - 1;
                    int firstKey = kt * g.keyTile;
                    int lastKey = firstKey + g.keyTile - 1;
                    byte expected = firstKey > lastRow ? TilePlan.EMPTY
                            : lastKey <= qt * g.queryTile ? TilePlan.FULL : TilePlan.PARTIAL;
                    assertEquals(expected, plan.kind(qt, kt), "tile " + qt + "," + kt);
                }
            }
        }
    }

    @Test
    void slidingWindowWorkGrowsWithTheWindowNotTheSequence() {
        try (Tensor q = Tensor.allocate(DType.FP32, 1, 1, 8192, 8); Tensor k = Tensor.allocate(DType.FP32, 1, 1, 8192, 8);
             Tensor v = Tensor.allocate(DType.FP32, 1, 1, 8192, 8)) {
            AttentionRequest req = AttentionRequest.builder(q, k, v).window(256, 0).build();
            TileGeometry g = TileGeometry.of(req);
            TilePlan plan = TilePlan.build(0, 0, StaticMask.of(req), null, g, null, null);
            // Each query tile of 64 rows touches at most ceil((256 + 64) / 128) + 1 key tiles.
            assertTrue(plan.liveTiles() <= (long) g.queryTiles * 4, "live tiles " + plan.liveTiles());
        }
    }
}
