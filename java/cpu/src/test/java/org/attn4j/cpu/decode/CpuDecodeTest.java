package org.attn4j.cpu.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.attn4j.Attention;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.cpu.CpuProvider;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.HostKvCache;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.reference.decode.ExactDecode;
import org.junit.jupiter.api.Test;

/**
 * What the conformance kit does not see of the cpu decode path: one sequence's keys split over tasks (and the split
 * balanced by kept keys, not positions), caches chosen and decoded through the public entry points, a cache of
 * another provider's kind decoded through the fallback, and concurrent decode calls on one cache.
 */
class CpuDecodeTest {
    private static final int D = 16;

    private static KvCache filled(KvCache cache, int length, long seed) {
        Random rnd = new Random(seed);
        int n = cache.batch() * cache.kvHeads() * length;
        float[] k = new float[n * D];
        float[] v = new float[n * cache.valueDim()];
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        try (Tensor tk = Tensor.of(k, cache.batch(), cache.kvHeads(), length, D);
             Tensor tv = Tensor.of(v, cache.batch(), cache.kvHeads(), length, cache.valueDim())) {
            cache.append(tk, tv);
        }
        return cache;
    }

    /** Appends one position with these key and value rows (one sequence, one kv head). */
    private static void appendOne(KvCache cache, float[] k, float[] v) {
        try (Tensor tk = Tensor.of(k, 1, 1, 1, D); Tensor tv = Tensor.of(v, 1, 1, 1, D)) {
            cache.append(tk, tv);
        }
    }

    private static Tensor queries(int batch, int heads, int nq, long seed) {
        Random rnd = new Random(seed);
        float[] q = new float[batch * heads * nq * D];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rnd.nextGaussian();
        }
        return Tensor.of(q, batch, heads, nq, D);
    }

    private static void assertMatchesReference(DecodeRequest r, AttentionResult got) {
        ExactDecode.Outputs want = new ExactDecode(r).run();
        float[] o = got.output().toFloatArray();
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < o.length; i++) {
            diff += (o[i] - want.o[i]) * (double) (o[i] - want.o[i]);
            norm += want.o[i] * (double) want.o[i];
        }
        assertTrue(Math.sqrt(diff / norm) < 1e-5, "relative error " + Math.sqrt(diff / norm));
        assertEquals(want.allowedPairs, got.allowedPairs().getAsLong());
    }

    @Test
    void oneSequenceWithOneKvHeadIsSplitOverTasksAndMergedExactly() {
        try (CpuKvCache cache = new CpuKvCache(KvCacheConfig.builder(1, 1, D).capacity(6000).build(), "cpu");
             Tensor q = queries(1, 2, 1, 2)) {
            filled(cache, 6000, 1);
            for (Normalizer n : Normalizer.values()) {
                DecodeRequest r = DecodeRequest.builder(q, cache).normalizer(n).returnLse(n == Normalizer.SOFTMAX)
                        .build();
                DecodePlan plan = new DecodePlan(r, cache);
                assertTrue(plan.tasks > 1 || org.attn4j.cpu.CpuThreads.threads() == 1, plan.tasks + " tasks");
                assertEquals(6000, plan.bounds[0][plan.bounds[0].length - 1]);
                try (AttentionResult got = CpuDecode.run(r, "cpu")) {
                    assertMatchesReference(r, got);
                }
            }
        }
    }

    @Test
    void splitsDivideTheKeptKeysNotThePositions() {
        try (CpuKvCache cache = new CpuKvCache(KvCacheConfig.builder(1, 1, D).capacity(20_000).blockSize(64)
                .build(), "cpu");
             Tensor q = queries(1, 1, 1, 4)) {
            filled(cache, 20_000, 3);
            // A window of 7968 keys from 12032 (a block boundary) plus 20 blocks before it: the splits cut the
            // kept keys in equal parts.
            DecodeRequest r = DecodeRequest.builder(q, cache).window(7967).topKBlocks(20).build();
            DecodePlan plan = new DecodePlan(r, cache);
            int[] cuts = plan.bounds[0];
            int splits = cuts.length - 1;
            long kept = plan.kept[0];
            assertEquals(7968 + 20 * 64, kept, "window plus the chosen blocks (the own block is in the window)");
            for (int s = 0; s < splits; s++) {
                long inSplit = plan.keptBefore(0, cuts[s + 1]) - plan.keptBefore(0, cuts[s]);
                assertTrue(Math.abs(inSplit - kept / (double) splits) <= 1 + splits, "split " + s + " holds "
                        + inSplit + " of " + kept + " kept keys");
            }
            try (AttentionResult got = CpuDecode.run(r, "cpu")) {
                assertMatchesReference(r, got);
            }
        }
    }

    @Test
    void theEntryPointsUseTheCpuCacheAndAnotherProvidersCacheDecodesThroughTheFallback() {
        KvCacheConfig config = KvCacheConfig.builder(2, 2, D).build();
        try (KvCache best = KvCache.create(config); KvCache named = KvCache.create(config, "reference");
             Tensor q = queries(2, 4, 1, 6)) {
            assertInstanceOf(CpuKvCache.class, best);
            assertEquals("cpu", best.provider());
            assertInstanceOf(HostKvCache.class, named);
            filled(best, 300, 5);
            filled(named, 300, 5);
            DecodeRequest onCpu = DecodeRequest.builder(q, best).topKBlocks(2).build();
            DecodeRequest onReference = DecodeRequest.builder(q, named).topKBlocks(2).build();
            try (AttentionResult a = Attention.decode(onCpu);
                 AttentionResult b = Attention.decode(onReference, "cpu");
                 AttentionResult c = Attention.decode(onReference)) {
                assertEquals("cpu", a.provider());
                assertEquals("cpu", b.provider(), "the cpu forward pass ran the reference cache's step");
                assertEquals("reference", c.provider());
                assertMatchesReference(onCpu, a);
                assertMatchesReference(onReference, b);
                assertArrayEquals(new CpuProvider().decodeCapabilities().dtypes().toArray(),
                        new ReferenceProvider().decodeCapabilities().dtypes().toArray());
            }
        }
    }

    @Test
    void concurrentDecodeCallsOnOneCacheAgree() throws Exception {
        try (CpuKvCache cache = new CpuKvCache(KvCacheConfig.builder(1, 2, D).valueDim(8).build(), "cpu");
             Tensor q = queries(1, 4, 2, 8)) {
            filled(cache, 3000, 7);
            DecodeRequest r = DecodeRequest.builder(q, cache).topKTokens(40).normalizer(Normalizer.ENTMAX15).build();
            float[] first;
            try (AttentionResult once = Attention.decode(r)) {
                first = once.output().toFloatArray();
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> runs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    runs.add(pool.submit(() -> {
                        try (AttentionResult res = Attention.decode(r)) {
                            return res.output().toFloatArray();
                        }
                    }));
                }
                for (Future<float[]> f : runs) {
                    assertArrayEquals(first, f.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void halfPrecisionCachesHoldTheRoundedValues() {
        try (CpuKvCache cache = new CpuKvCache(KvCacheConfig.builder(1, 1, D).dtype(DType.BF16).build(), "cpu");
             Tensor k = Tensor.of(DType.BF16, new float[] {1.00390625f, 3f, 0.1f, 7f, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                 1, 1}, 1, 1, 1, D);
             Tensor v = Tensor.of(DType.BF16, new float[D], 1, 1, 1, D)) {
            cache.append(k, v);
            assertArrayEquals(k.toFloatArray(), cache.keys(0));
            assertEquals(DType.BF16.round(0.1f), cache.keys(0)[2], 0f);
        }
    }

    /**
     * Softmax's LSE of a decode step with token top-k (the path that normalizes whole rows) is the row's log-sum-exp
     * itself, equal to the reference's; the forward pass's row statistic is relative to the row maximum, and the
     * decode path must add the maximum back.
     */
    @Test
    void softmaxLseIsTheLogSumExp() {
        try (CpuKvCache cache = new CpuKvCache(KvCacheConfig.builder(1, 2, D).capacity(300).build(), "cpu");
             Tensor q = queries(1, 4, 1, 5)) {
            filled(cache, 300, 6);
            DecodeRequest r = DecodeRequest.builder(q, cache).scale(3.0).topKTokens(50).returnLse(true)
                    .build();
            try (AttentionResult got = CpuDecode.run(r, "cpu")) {
                assertMatchesReference(r, got);
                float[] want = new ExactDecode(r).run().lse;
                float[] lse = got.lse().orElseThrow().toFloatArray();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], lse[i], 1e-5 * Math.abs(want[i]), "LSE[" + i + "]");
                }
            }
        }
    }

    /**
     * A query times a scale that is 0 in float (1e-300) stays non-zero (SPEC, non-finite scores): against a -inf key
     * component it gives a -inf score, weight 0, as {@code scale * dot} does, never {@code 0 * -inf = NaN}.
     */
    @Test
    void negativeInfiniteKeyAgainstATinyScaleWeighsNothing() {
        try (CpuKvCache cache = new CpuKvCache(KvCacheConfig.builder(1, 1, D).capacity(40).build(), "cpu");
             Tensor q = Tensor.of(new float[] {0.5f, 1, 1.5f, 2, 0.5f, 1, 1.5f, 2, 0.5f, 1, 1.5f, 2, 0.5f, 1, 1.5f,
                 2}, 1, 1, 1, D)) {
            filled(cache, 30, 7);
            float[] k = new float[D];
            k[3] = Float.NEGATIVE_INFINITY;
            appendOne(cache, k, new float[D]);
            for (Normalizer n : Normalizer.values()) {
                DecodeRequest r = DecodeRequest.builder(q, cache).scale(1e-300).normalizer(n).build();
                try (AttentionResult got = CpuDecode.run(r, "cpu")) {
                    assertMatchesReference(r, got);
                }
            }
        }
    }

    /**
     * A value row that is not kept (outside the window here) but shares a group of value rows with kept ones holds
     * -inf: it weighs nothing, so O stays finite (the decode fuzzer's finding: four groups at a time multiplied it by
     * its weight 0, giving NaN).
     */
    @Test
    void aNonFiniteValueOutsideTheKeptKeysLeavesOTheSame() {
        try (CpuKvCache cache = new CpuKvCache(KvCacheConfig.builder(1, 1, D).capacity(128).build(), "cpu");
             Tensor q = queries(1, 1, 1, 5)) {
            filled(cache, 32, 11);
            float[] v = new float[D];
            v[2] = Float.NEGATIVE_INFINITY;
            appendOne(cache, new float[D], v); // position 32, first of its group of 16 value rows
            filled(cache, 58, 12);
            // The window keeps 33..90: the groups of value rows 32..95, four at a time, hold position 32.
            DecodeRequest r = DecodeRequest.builder(q, cache).window(57).build();
            try (AttentionResult got = CpuDecode.run(r, "cpu")) {
                for (float x : got.output().toFloatArray()) {
                    assertTrue(Float.isFinite(x), "O holds " + x);
                }
                assertMatchesReference(r, got);
            }
        }
    }

    /**
     * Token top-k ranks by the float64 score (SPEC): under a scale below float range every float score is a few
     * subnormal steps and they tie, while the exact scores differ; the kept keys must be the exact ones (the decode
     * fuzzer's finding: the float ranking kept others).
     */
    @Test
    void tokenTopKUnderATinyScaleKeepsTheKeysOfHighestExactScore() {
        try (CpuKvCache cache = new CpuKvCache(KvCacheConfig.builder(1, 2, D).capacity(300).build(), "cpu");
             Tensor q = queries(1, 4, 2, 9)) {
            filled(cache, 300, 13);
            for (Normalizer n : Normalizer.values()) {
                DecodeRequest r = DecodeRequest.builder(q, cache).scale(1e-300).topKTokens(5).normalizer(n).build();
                try (AttentionResult got = CpuDecode.run(r, "cpu")) {
                    assertMatchesReference(r, got);
                }
            }
        }
    }
}
