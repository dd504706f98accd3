package org.attn4j.reference.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.Decoding;
import org.attn4j.decode.HostKvCache;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;
import org.attn4j.mask.BlockMask;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * The oracle's decode rules, checked two independent ways: without block top-k, a decode step is the causal forward
 * pass of the new queries over the cached positions (the window, global tokens and token top-k mean the same; the
 * block mask moves from absolute positions to the call's rows); with block top-k, the forward-pass fallback, which
 * turns {@code DecodeSelection}'s interval logic over the cache's running sums into a block mask, must agree with
 * {@link ExactDecode}'s key-by-key reading over means it recomputes from the keys.
 */
class ExactDecodeTest {
    private static final ReferenceProvider REFERENCE = new ReferenceProvider();

    /** A random decode setting with its cache filled. */
    private static final class Setting implements AutoCloseable {
        final Random rnd;
        final int batch;
        final int kvHeads;
        final int hq;
        final int nq;
        final int d;
        final int dv;
        final KvCache cache;
        final Tensor q;
        final DecodeRequest.Builder request;
        final BlockMask mask;

        Setting(long seed, boolean blockTopK) {
            rnd = new Random(seed);
            batch = 1 + rnd.nextInt(3);
            kvHeads = 1 + rnd.nextInt(2);
            hq = kvHeads * (1 + rnd.nextInt(3));
            nq = 1 + rnd.nextInt(3);
            d = 4 + rnd.nextInt(9);
            dv = 1 + rnd.nextInt(9);
            int blockSize = 1 + rnd.nextInt(8);
            cache = new HostKvCache(KvCacheConfig.builder(batch, kvHeads, d).valueDim(dv).blockSize(blockSize)
                    .capacity(2).build(), "test");
            int[] lengths = new int[batch];
            for (int b = 0; b < batch; b++) {
                lengths[b] = rnd.nextInt(60);
            }
            int t = Arrays.stream(lengths).max().getAsInt();
            boolean integer = rnd.nextBoolean();
            try (Tensor k = Tensor.of(values(batch * kvHeads * t * d, integer), batch, kvHeads, t, d);
                 Tensor v = Tensor.of(values(batch * kvHeads * t * dv, false), batch, kvHeads, t, dv)) {
                cache.append(k, v, lengths);
            }
            q = Tensor.of(values(batch * hq * nq * d, integer), batch, hq, nq, d);
            Normalizer n = Normalizer.values()[rnd.nextInt(3)];
            request = DecodeRequest.builder(q, cache).normalizer(n).scale(integer ? 0.25 : 0.6)
                    .returnLse(n == Normalizer.SOFTMAX);
            if (rnd.nextBoolean()) {
                request.window(rnd.nextInt(15));
                if (rnd.nextBoolean()) {
                    request.globalTokens(rnd.nextInt(4));
                }
            }
            int cover = Math.max(1, t);
            int bq = 1 + rnd.nextInt(5);
            int bk = 1 + rnd.nextInt(7);
            int qb = (cover + bq - 1) / bq;
            int kb = (cover + bk - 1) / bk;
            boolean perHead = rnd.nextBoolean();
            boolean[] cells = new boolean[(perHead ? batch * hq : 1) * qb * kb];
            for (int c = 0; c < cells.length; c++) {
                cells[c] = rnd.nextDouble() < 0.75;
            }
            mask = rnd.nextBoolean() ? null : BlockMask.of(cells, perHead ? new int[] {batch, hq, qb, kb}
                    : new int[] {qb, kb}, bq, bk);
            if (mask != null) {
                request.blockMask(mask);
            }
            if (rnd.nextInt(3) == 0) {
                request.topKTokens(1 + rnd.nextInt(6));
            }
            if (blockTopK && rnd.nextBoolean()) {
                request.topKBlocksPerGroup(1 + rnd.nextInt(4));
            } else if (blockTopK) {
                request.topKBlocks(1 + rnd.nextInt(4));
            }
        }

        private float[] values(int n, boolean integer) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = integer ? rnd.nextInt(3) - 1 : (float) rnd.nextGaussian();
            }
            return x;
        }

        @Override
        public void close() {
            q.close();
            cache.close();
        }
    }

    @RepeatedTest(150)
    void withoutBlockTopKADecodeStepIsTheCausalForwardPassOverTheCache(RepetitionInfo info) {
        try (Setting s = new Setting(info.getCurrentRepetition(), false)) {
            DecodeRequest r = s.request.build();
            ExactDecode.Outputs got = new ExactDecode(r).run();
            float[] q = s.q.toFloatArray();
            long pairs = 0;
            for (int b = 0; b < s.batch; b++) {
                int length = s.cache.length(b);
                int rows = s.hq * s.nq;
                float[] o = Arrays.copyOfRange(got.o, b * rows * s.dv, (b + 1) * rows * s.dv);
                if (length == 0) {
                    assertEquals(0, sumAbs(o), 0);
                    continue;
                }
                try (Tensor qb = Tensor.of(Arrays.copyOfRange(q, b * rows * s.d, (b + 1) * rows * s.d), 1, s.hq,
                        s.nq, s.d);
                     Tensor k = Tensor.of(s.cache.keys(b), 1, s.kvHeads, length, s.d);
                     Tensor v = Tensor.of(s.cache.values(b), 1, s.kvHeads, length, s.dv)) {
                    AttentionRequest.Builder f = AttentionRequest.builder(qb, k, v).causal().scale(r.scale())
                            .normalizer(r.normalizer()).returnLse(r.returnLse());
                    r.window().ifPresent(w -> f.window(w.left(), 0).globalTokens(w.globalTokens()));
                    r.tokenTopK().ifPresent(f::topKTokens);
                    if (s.mask != null) {
                        int bb = b;
                        f.blockMask(BlockMask.fromFunction(1, s.hq, s.nq, length, 1, 1, (x, h, i, j) ->
                                length - s.nq + i >= 0 && s.mask.get(bb, h, (length - s.nq + i) / s.mask.blockQ(),
                                        j / s.mask.blockK())));
                    }
                    try (AttentionResult want = REFERENCE.forward(f.build())) {
                        assertClose(want.output().toFloatArray(), o, "O of sequence " + b);
                        pairs += want.allowedPairs().getAsLong();
                        if (r.returnLse()) {
                            float[] l = Arrays.copyOfRange(got.lse, b * rows, (b + 1) * rows);
                            assertEquals(Arrays.toString(want.lse().get().toFloatArray()), Arrays.toString(l));
                        }
                    }
                }
            }
            assertEquals(pairs, got.allowedPairs);
        }
    }

    @RepeatedTest(150)
    void withBlockTopKTheForwardFallbackAndTheKeyByKeyRulesAgree(RepetitionInfo info) {
        try (Setting s = new Setting(1000 + info.getCurrentRepetition(), true)) {
            DecodeRequest r = s.request.build();
            ExactDecode.Outputs want = new ExactDecode(r).run();
            try (KvCache.Lease held = s.cache.acquire(); AttentionResult got = Decoding.run(FORWARD_ONLY, r)) {
                assertClose(want.o, got.output().toFloatArray(), "O");
                assertEquals(want.allowedPairs, got.allowedPairs().getAsLong());
                if (r.returnLse()) {
                    assertClose(want.lse, got.lse().get().toFloatArray(), "LSE");
                }
            }
        }
    }

    private static double sumAbs(float[] x) {
        double s = 0;
        for (float f : x) {
            s += Math.abs(f);
        }
        return s;
    }

    private static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + " length");
        for (int i = 0; i < want.length; i++) {
            if (want[i] == Float.NEGATIVE_INFINITY) {
                assertEquals(want[i], got[i], what + "[" + i + "]");
                continue;
            }
            assertTrue(Math.abs(want[i] - got[i]) <= 1e-5 * (1 + Math.abs(want[i])), what + "[" + i + "]: "
                    + got[i] + ", expected " + want[i]);
        }
    }

    /** The reference's forward pass only: decoding through it takes the fallback. */
    private static final AttentionProvider FORWARD_ONLY = new AttentionProvider() {
        @Override
        public String name() {
            return "forward-only";
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public Availability availability() {
            return Availability.available("test");
        }

        @Override
        public Capabilities capabilities() {
            return REFERENCE.capabilities();
        }

        @Override
        public AttentionResult forward(AttentionRequest request) {
            return REFERENCE.forward(request);
        }

        @Override
        public AttentionGradients backward(BackwardRequest request) {
            return REFERENCE.backward(request);
        }
    };

    /**
     * Sparsemax gives weight 0 to a key far below the others; its value row is +inf and contributes nothing (SPEC),
     * so O is the finite mix of the others (found by the decode fuzzer: the reference multiplied 0 by inf).
     */
    @org.junit.jupiter.api.Test
    void aKeyOfWeightZeroContributesNothingEvenWithAnInfiniteValue() {
        try (HostKvCache cache = new HostKvCache(KvCacheConfig.builder(1, 1, 1).build(), "reference");
             Tensor k = Tensor.of(new float[] {-50, 1, 2}, 1, 1, 3, 1);
             Tensor v = Tensor.of(new float[] {Float.POSITIVE_INFINITY, 10, 20}, 1, 1, 3, 1);
             Tensor q = Tensor.of(new float[] {1}, 1, 1, 1, 1)) {
            cache.append(k, v);
            DecodeRequest r = DecodeRequest.builder(q, cache).scale(1).normalizer(Normalizer.SPARSEMAX).build();
            ExactDecode.Outputs out = new ExactDecode(r).run();
            // Scores -50, 1, 2: sparsemax keeps 1 and 2 with weights 0 and 1 (tau = 1), so O = V[2] = 20.
            assertEquals(20f, out.o[0], 1e-6f);
        }
    }
}
