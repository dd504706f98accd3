package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.attn4j.mask.BlockMask;
import org.attn4j.spi.Capabilities;
import org.junit.jupiter.api.Test;

/** Messages a person reads: no "any <= 2147483647", no "expected 1 or 1", and the shape that is wrong shown. */
class DiagnosticMessagesTest {

    @Test
    void capabilitySummariesSayAnyHeadDimInWords() {
        assertTrue(Capabilities.everything().summary().contains("; head dims any;"),
                Capabilities.everything().summary());
        assertTrue(Capabilities.builder().maxHeadDim(256).build().summary().contains("head dims up to 256"));
        assertTrue(Capabilities.builder().headDims(Set.of(64, 128)).build().summary().contains("head dims 64, 128"));
    }

    @Test
    void broadcastDimensionsOfABlockMaskReadWell() {
        try (Tensor one = Tensor.allocate(DType.FP32, 1, 1, 8, 4);
             Tensor four = Tensor.allocate(DType.FP32, 3, 4, 8, 4)) {
            BlockMask twoBatches = BlockMask.fromFunction(2, 1, 2, 2, 4, 4, (b, h, i, j) -> true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionRequest.builder(one, one, one).blockMask(twoBatches).build());
            assertEquals("blockMask.shape[0] (batch): expected 1 (the batch of q), got 2", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionRequest.builder(four, four, four).blockMask(twoBatches).build());
            assertEquals("blockMask.shape[0] (batch): expected 1 (broadcast) or 3 (the batch of q), got 2",
                    e.getMessage());
            BlockMask threeHeads = BlockMask.fromFunction(1, 3, 2, 2, 4, 4, (b, h, i, j) -> true);
            e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionRequest.builder(four, four, four).blockMask(threeHeads).build());
            assertEquals("blockMask.shape[1] (heads): expected 1 (broadcast) or 4 (the query heads of q), got 3",
                    e.getMessage());
        }
    }

    @Test
    void shapeErrorsShowTheWholeShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.allocate(DType.FP16, 1, 8, 128, -64));
        assertEquals("shape[3]: expected >= 0, got -64 in [1, 8, 128, -64]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(DType.FP32, 1 << 30, 1 << 30, 48, 16));
        assertTrue(e.getMessage().startsWith("shape: fp32 [1073741824, 1073741824, 48, 16] needs more than"),
                e.getMessage());
    }
}
