package org.attn4j.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.function.Supplier;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.MaskKind;
import org.junit.jupiter.api.Test;

class DecodeRequestTest {

    private static void expect(String prefix, Supplier<?> build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().startsWith(prefix), "message should start with " + prefix + ": " + e.getMessage());
    }

    @Test
    void derivesShapesAndMasks() {
        try (HostKvCache cache = new HostKvCache(KvCacheConfig.builder(2, 2, 8).valueDim(4).blockSize(16).build(),
                "test");
             Tensor q = Tensor.allocate(DType.FP32, 2, 6, 3, 8)) {
            DecodeRequest r = DecodeRequest.builder(q, cache).window(32).globalTokens(2).topKBlocks(4).topKTokens(9)
                    .build();
            assertEquals(3, r.groupSize());
            assertEquals(3, r.queryLength());
            assertEquals(4, r.valueDim());
            assertEquals(1 / Math.sqrt(8), r.scale(), 1e-15);
            assertEquals(EnumSet.of(MaskKind.CAUSAL, MaskKind.SLIDING_WINDOW, MaskKind.GLOBAL_TOKENS,
                    MaskKind.BLOCK_TOPK, MaskKind.TOKEN_TOPK), r.maskKinds());
            assertEquals(0, r.window().orElseThrow().right());
            assertEquals("decode fp32 cpu B=2 Hq=6 Hkv=2 Nq=3 D=8 Dv=4 softmax window(32, global 2) topKBlocks(4 of"
                    + " 16) topKTokens(9)", r.describe());
            assertEquals(EnumSet.of(MaskKind.CAUSAL), r.toBuilder().q(q).build().maskKinds().isEmpty()
                    ? null : DecodeRequest.builder(q, cache).build().maskKinds());
        }
    }

    @Test
    void namesTheInvalidField() {
        try (HostKvCache cache = new HostKvCache(KvCacheConfig.builder(1, 2, 8).build(), "test");
             Tensor q = Tensor.allocate(DType.FP32, 1, 4, 1, 8);
             Tensor q3 = Tensor.allocate(DType.FP32, 1, 3, 1, 8);
             Tensor q2 = Tensor.allocate(DType.FP32, 2, 4, 1, 8);
             Tensor qd = Tensor.allocate(DType.FP32, 1, 4, 1, 16);
             Tensor q16 = Tensor.allocate(DType.FP16, 1, 4, 1, 8);
             Tensor rank3 = Tensor.allocate(DType.FP32, 4, 1, 8);
             Tensor badOut = Tensor.allocate(DType.FP32, 1, 4, 2, 8);
             Tensor badLse = Tensor.allocate(DType.FP16, 1, 4, 1)) {
            expect("cache: expected a KvCache", () -> DecodeRequest.builder(q, null).build());
            expect("q: expected a tensor", () -> DecodeRequest.builder(null, cache).build());
            expect("q.shape: expected rank 4", () -> DecodeRequest.builder(rank3, cache).build());
            expect("q.shape[0] (batch)", () -> DecodeRequest.builder(q2, cache).build());
            expect("q.shape[1] (query heads): expected a multiple of 2", () -> DecodeRequest.builder(q3, cache)
                    .build());
            expect("q.shape[3] (head dim)", () -> DecodeRequest.builder(qd, cache).build());
            expect("q.dtype", () -> DecodeRequest.builder(q16, cache).build());
            expect("scale", () -> DecodeRequest.builder(q, cache).scale(Double.NaN).build());
            expect("window.left", () -> DecodeRequest.builder(q, cache).window(-1).build());
            expect("globalTokens: only meaningful", () -> DecodeRequest.builder(q, cache).globalTokens(2).build());
            expect("topKBlocks.k", () -> DecodeRequest.builder(q, cache).topKBlocks(0));
            expect("topKTokens.k", () -> DecodeRequest.builder(q, cache).topKTokens(-1));
            expect("normalizer", () -> DecodeRequest.builder(q, cache).normalizer(null).build());
            expect("returnLse", () -> DecodeRequest.builder(q, cache).normalizer(Normalizer.ENTMAX15).returnLse(true)
                    .build());
            expect("blockMask.shape[1] (heads)", () -> DecodeRequest.builder(q, cache).blockMask(
                    BlockMask.of(new boolean[2], new int[] {1, 2, 1, 1}, 4, 4)).build());
            expect("output.shape", () -> DecodeRequest.builder(q, cache).output(badOut).build());
            expect("output: must not be the q tensor", () -> DecodeRequest.builder(q, cache).output(q).build());
            expect("lseOutput.dtype", () -> DecodeRequest.builder(q, cache).lseOutput(badLse).build());
            DecodeRequest ok = DecodeRequest.builder(q, cache)
                    .blockMask(BlockMask.of(new boolean[] {true}, new int[] {1, 1}, 4, 4)).build();
            expect("blockMask.shape[2] (query blocks): expected >= ceil(5 / 4) = 2", () -> {
                ok.checkAgainst(new int[] {5});
                return null;
            });
            cache.close();
            expect("cache: closed", () -> {
                ok.checkOpen();
                return null;
            });
            expect("cache: closed", () -> DecodeRequest.builder(q, cache).build());
        }
    }
}
