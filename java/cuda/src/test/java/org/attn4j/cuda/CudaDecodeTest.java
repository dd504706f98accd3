package org.attn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.Decoding;
import org.attn4j.decode.HostKvCache;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;
import org.attn4j.mask.BlockMask;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.reference.decode.ExactDecode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The cuda provider's own decode path: a device cache holds what was appended (keys, values, float64 block sums
 * exactly as a host cache sums them), and decode steps with every mask kind and normalizer match the float64
 * reference decode on a host cache fed the same appends. Requests the kernels do not take go to the forward-pass
 * fallback with the reason, or fail with the field named.
 */
@RequiresCuda
class CudaDecodeTest {
    private static final CudaProvider CUDA = new CudaProvider();
    private static final int B = 2;
    private static final int HKV = 2;
    private static final int D = 64;
    private static final int BLOCK = 16;

    private static final List<UnaryOperator<DecodeRequest.Builder>> MASKS = List.of(
            b -> b,
            b -> b.window(20).globalTokens(3),
            b -> b.blockMask(BlockMask.of(new boolean[][] {{true, false, true, true}, {false, true, true, true},
                    {true, true, false, true}, {true, false, true, true}}, 32, 32)),
            b -> b.topKBlocks(2),
            b -> b.topKBlocksPerGroup(2),
            b -> b.topKTokens(9),
            b -> b.window(40).topKTokens(12));

    private static KvCacheConfig config(DType dtype) {
        return KvCacheConfig.builder(B, HKV, D).dtype(dtype).device(Device.cuda(0)).capacity(8).blockSize(BLOCK)
                .build();
    }

    private static float[] draw(Random rnd, int n, DType dtype) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = dtype.round((float) rnd.nextGaussian());
        }
        return x;
    }

    @Test
    void deviceCacheHoldsWhatWasAppended() {
        Random rnd = new Random(3);
        try (KvCache cache = KvCache.create(config(DType.FP16));
             KvCache host = new HostKvCache(config(DType.FP16).toBuilder().device(Device.CPU).build(), "reference")) {
            assertEquals(CudaProvider.NAME, cache.provider());
            int[][] appends = {{37, 5}, {0, 40}, {1, 1}, {30, 0}};
            for (int[] counts : appends) {
                int t = Math.max(counts[0], counts[1]);
                try (Tensor k = Tensor.of(DType.FP16, draw(rnd, B * HKV * t * D, DType.FP16), B, HKV, t, D);
                     Tensor v = Tensor.of(DType.FP16, draw(rnd, B * HKV * t * D, DType.FP16), B, HKV, t, D)) {
                    cache.append(k, v, counts);
                    host.append(k, v, counts);
                }
            }
            assertArrayEquals(host.lengths(), cache.lengths());
            assertTrue(cache.capacity() >= 68, "grew from 8 to hold 68 positions: " + cache.capacity());
            for (int b = 0; b < B; b++) {
                assertArrayEquals(host.keys(b), cache.keys(b));
                assertArrayEquals(host.values(b), cache.values(b));
                assertArrayEquals(host.blockKeySums(b), cache.blockKeySums(b), "float64 sums in position order");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void decodeStepsMatchTheReference(Normalizer normalizer) {
        for (DType dtype : new DType[] {DType.FP16, DType.BF16}) {
            Random rnd = new Random(11 + normalizer.ordinal());
            int hq = 2 * HKV;
            try (KvCache cache = KvCache.create(config(dtype));
                 KvCache ref = new HostKvCache(config(dtype).toBuilder().device(Device.CPU).build(), "reference")) {
                int[][] appends = {{100, 70}, {1, 1}, {3, 0}};
                for (int[] counts : appends) {
                    int t = Math.max(counts[0], counts[1]);
                    try (Tensor k = Tensor.of(dtype, draw(rnd, B * HKV * t * D, dtype), B, HKV, t, D);
                         Tensor v = Tensor.of(dtype, draw(rnd, B * HKV * t * D, dtype), B, HKV, t, D)) {
                        cache.append(k, v, counts);
                        ref.append(k, v, counts);
                    }
                    for (int nq : new int[] {1, 2}) {
                        try (Tensor q = Tensor.of(dtype, draw(rnd, B * hq * nq * D, dtype), B, hq, nq, D);
                             Tensor dq = CudaTensors.copyOf(q, 0)) {
                            for (int m = 0; m < MASKS.size(); m++) {
                                DecodeRequest r = MASKS.get(m).apply(DecodeRequest.builder(dq, cache)
                                        .normalizer(normalizer).returnLse(normalizer == Normalizer.SOFTMAX)).build();
                                assertTrue(CUDA.supportsDecode(r).isSupported(), CUDA.supportsDecode(r).reason());
                                ExactDecode.Outputs want = new ExactDecode(MASKS.get(m).apply(
                                        DecodeRequest.builder(q, ref).normalizer(normalizer)
                                                .returnLse(normalizer == Normalizer.SOFTMAX)).build()).run();
                                try (AttentionResult got = Decoding.run(r, null);
                                     Tensor o = CudaTensors.toHost(got.output());
                                     Tensor lse = got.lse().map(CudaTensors::toHost).orElse(null)) {
                                    String at = dtype + " " + normalizer + " mask " + m + " nq " + nq + " after "
                                            + ref.length(0) + "/" + ref.length(1);
                                    compare(o.toFloatArray(), want.o, 2e-2, at + " O");
                                    if (normalizer == Normalizer.SOFTMAX) {
                                        compare(lse.toFloatArray(), want.lse, 1e-3, at + " LSE");
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void compare(float[] got, float[] want, double tol, String what) {
        assertEquals(want.length, got.length, what + " length");
        double scale = 0;
        for (float w : want) {
            if (Double.isFinite(w)) {
                scale = Math.max(scale, Math.abs(w));
            }
        }
        for (int i = 0; i < got.length; i++) {
            if (!Float.isFinite(want[i])) {
                assertEquals(want[i], got[i], 0.0, what + "[" + i + "] (non-finite in the reference)");
                continue;
            }
            assertTrue(Math.abs(got[i] - want[i]) <= tol * Math.max(1, scale), what + "[" + i + "]: " + got[i]
                    + " vs " + want[i]);
        }
    }

    @Test
    void hostConfigsAndOtherCachesAreNotCudaCaches() {
        assertFalse(Decoding.cacheSupport(CUDA, KvCacheConfig.builder(1, 1, 64).dtype(DType.FP16).build())
                .isSupported(), "host caches are not the cuda provider's");
        assertFalse(Decoding.cacheSupport(CUDA, KvCacheConfig.builder(1, 1, 64).valueDim(12).dtype(DType.FP16)
                .device(Device.cuda(0)).build()).isSupported(), "value dims are multiples of 8");
        try (KvCache host = new HostKvCache(KvCacheConfig.builder(1, 1, 64).dtype(DType.FP16).build(), "reference");
             Tensor q = Tensor.of(DType.FP16, new float[64], 1, 1, 1, 64)) {
            String reason = CUDA.supportsDecode(DecodeRequest.builder(q, host).build()).reason();
            assertTrue(reason.contains("caches on cpu"), reason);
        }
    }

    @Test
    void groupsBeyondOneBlockFallBackAndBadAppendsNameTheField() {
        try (KvCache cache = KvCache.create(KvCacheConfig.builder(1, 1, 64).dtype(DType.FP16)
                .device(Device.cuda(0)).build());
             Tensor k = Tensor.of(DType.FP16, new float[5 * 64], 1, 1, 5, 64);
             Tensor wide = Tensor.of(DType.FP16, new float[5 * 128], 1, 1, 5, 128);
             Tensor q = CudaTensors.allocate(DType.FP16, 0, 1, 65, 1, 64)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cache.append(k, wide));
            assertTrue(e.getMessage().startsWith("v.shape"), e.getMessage());
            cache.append(k, k);
            DecodeRequest big = DecodeRequest.builder(q, cache).build();
            String reason = CUDA.supportsDecode(big).reason();
            assertTrue(reason.contains("64 rows"), reason);
            try (AttentionResult r = Decoding.run(big, null)) {
                assertEquals(65 * 64, r.output().size(), "the forward-pass fallback decodes it");
                assertEquals(0f, CudaTensors.toHost(r.output()).toFloatArray()[7], "zero queries, zero values");
            }
        }
    }
}
