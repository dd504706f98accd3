package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.function.Supplier;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.MaskKind;
import org.junit.jupiter.api.Test;

class AttentionRequestTest {

    private static Tensor t(DType dtype, int... shape) {
        return Tensor.allocate(dtype, shape);
    }

    private static void expectField(String field, Supplier<?> build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().startsWith(field), "message should name " + field + ": " + e.getMessage());
    }

    @Test
    void derivesDimensionsAndDefaults() {
        AttentionRequest r = AttentionRequest.builder(t(DType.FP32, 2, 8, 5, 64), t(DType.FP32, 2, 2, 9, 64),
                t(DType.FP32, 2, 2, 9, 32)).causal().window(4, 0).globalTokens(2).topKTokens(3).build();
        assertEquals(4, r.groupSize());
        assertEquals(4, r.keyOffset());
        assertEquals(0.125, r.scale(), 1e-15);
        assertEquals(32, r.valueDim());
        assertEquals(DType.FP32, r.outputDType());
        assertEquals(EnumSet.of(MaskKind.CAUSAL, MaskKind.SLIDING_WINDOW, MaskKind.GLOBAL_TOKENS,
                MaskKind.TOKEN_TOPK), r.maskKinds());
        assertEquals(2, r.window().orElseThrow().globalTokens());
        AttentionRequest copy = r.toBuilder().scale(0.5).build();
        assertEquals(0.5, copy.scale());
        assertTrue(copy.causal());
    }

    @Test
    void namesTheInvalidField() {
        Tensor q = t(DType.FP32, 1, 4, 8, 16);
        Tensor k = t(DType.FP32, 1, 2, 8, 16);
        Tensor v = t(DType.FP32, 1, 2, 8, 16);
        expectField("k.shape[0]", () -> AttentionRequest.builder(q, t(DType.FP32, 2, 2, 8, 16), v).build());
        expectField("k.shape[3]", () -> AttentionRequest.builder(q, t(DType.FP32, 1, 2, 8, 8), v).build());
        expectField("k.shape[1]", () -> AttentionRequest.builder(q, t(DType.FP32, 1, 3, 8, 16),
                t(DType.FP32, 1, 3, 8, 16)).build());
        expectField("v.shape", () -> AttentionRequest.builder(q, k, t(DType.FP32, 1, 2, 7, 16)).build());
        expectField("q.shape", () -> AttentionRequest.builder(t(DType.FP32, 4, 8, 16), k, v).build());
        expectField("k.dtype", () -> AttentionRequest.builder(q, t(DType.FP16, 1, 2, 8, 16), v).build());
        expectField("scale", () -> AttentionRequest.builder(q, k, v).scale(Double.NaN).build());
        expectField("scale", () -> AttentionRequest.builder(q, k, v).scale(Double.POSITIVE_INFINITY).build());
        expectField("window.left", () -> AttentionRequest.builder(q, k, v).window(-1, 0).build());
        expectField("window.right", () -> AttentionRequest.builder(q, k, v).window(0, -3).build());
        expectField("globalTokens", () -> AttentionRequest.builder(q, k, v).globalTokens(2).build());
        expectField("topKTokens.k", () -> AttentionRequest.builder(q, k, v).topKTokens(0).build());
        expectField("topKBlocks.k", () -> AttentionRequest.builder(q, k, v).topKBlocks(0, 4, 4).build());
        expectField("topKBlocks.blockQ", () -> AttentionRequest.builder(q, k, v).topKBlocks(1, 0, 4).build());
        expectField("returnLse", () -> AttentionRequest.builder(q, k, v).normalizer(Normalizer.SPARSEMAX)
                .returnLse(true).build());
        expectField("blockMask.shape[2]", () -> AttentionRequest.builder(q, k, v)
                .blockMask(BlockMask.of(new boolean[3][2], 4, 4)).build());
        expectField("blockMask.shape[3]", () -> AttentionRequest.builder(q, k, v)
                .blockMask(BlockMask.of(new boolean[2][3], 4, 4)).build());
        expectField("blockMask.shape[1]", () -> AttentionRequest.builder(q, k, v)
                .blockMask(BlockMask.fromFunction(1, 2, 2, 2, 4, 4, (b, h, i, j) -> true)).build());
        expectField("output.shape", () -> AttentionRequest.builder(q, k, v).output(t(DType.FP32, 1, 4, 8, 8))
                .build());
        expectField("lseOutput.dtype", () -> AttentionRequest.builder(q, k, v).lseOutput(t(DType.FP16, 1, 4, 8))
                .build());
        Tensor closed = t(DType.FP32, 1, 2, 8, 16);
        closed.close();
        expectField("v", () -> AttentionRequest.builder(q, k, closed).build());
        expectField("q", () -> AttentionRequest.builder(null, k, v).build());
    }

    /** Found by the fuzzer: reference threw ArithmeticException (cpu refused on its own); now refused for all. */
    @Test
    void refusesProbabilitiesLargerThanAHostTensor() {
        Tensor x = t(DType.FP32, 1, 1, 46_341, 1);
        expectField("returnProbabilities", () -> AttentionRequest.builder(x, x, x).returnProbabilities(true).build());
        AttentionRequest.builder(x, x, x).build();
        Tensor y = t(DType.FP16, 1, 1, 23_170, 1);
        AttentionRequest.builder(y, y, y).returnProbabilities(true).build(); // 2 147 395 600 bytes: fits
    }

    @Test
    void detectsTensorsClosedAfterBuilding() {
        Tensor q = t(DType.FP32, 1, 1, 2, 4);
        Tensor k = t(DType.FP32, 1, 1, 2, 4);
        AttentionRequest r = AttentionRequest.builder(q, k, k).build();
        k.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::checkTensorsOpen);
        assertTrue(e.getMessage().startsWith("k"), e.getMessage());
    }

    @Test
    void parsesNames() {
        assertEquals(Normalizer.ENTMAX15, Normalizer.parse("entmax-1.5"));
        assertEquals(DType.BF16, DType.parse("BF16"));
        assertEquals(Device.cuda(1), Device.parse("cuda:1"));
        expectField("normalizer", () -> Normalizer.parse("relu"));
        expectField("dtype", () -> DType.parse("int8"));
    }
}
