package org.attn4j.bench.count;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.SlidingWindow;
import org.attn4j.mask.StaticMask;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.bench.workload.MaskFamily;
import org.attn4j.bench.workload.MaskInstance;
import org.attn4j.bench.workload.MaskSpec;
import org.attn4j.bench.workload.Scale;
import org.attn4j.bench.workload.Shape;
import org.junit.jupiter.api.Test;

/** P (allowed pairs) and FLOPs against brute force, for every mask the benchmark runs. */
class PairCounterTest {
    private static final ReferenceProvider REFERENCE = new ReferenceProvider();

    @Test
    void everyMaskMatchesBruteForceOnSquareAndGqaShapes() {
        Shape square = new Shape("t", Scale.CPU, 2, 2, 2, 96, 96, 8, 8, 16, MaskSpec.gymDefaults());
        Shape gqa = new Shape("t", Scale.CPU, 1, 4, 2, 80, 80, 8, 12, 16, MaskSpec.gymDefaults());
        for (Shape s : List.of(square, gqa)) {
            for (MaskSpec spec : MaskSpec.gymDefaults()) {
                assertMatchesBruteForce(s, spec, 7);
            }
        }
    }

    @Test
    void rectangularShapesWithBottomRightAlignment() {
        // Nq != Nk: causal and windows shift by Nk - Nq; partial last tiles on both sides.
        for (int[] n : new int[][] {{40, 100}, {100, 40}, {1, 70}}) {
            List<MaskSpec> masks = List.of(MaskSpec.of(MaskFamily.CAUSAL), MaskSpec.of(MaskFamily.SLIDING_WINDOW),
                    MaskSpec.blockSparse(0.3), MaskSpec.of(MaskFamily.BLOCK_TOPK), MaskSpec.of(MaskFamily.TOKEN_TOPK),
                    new MaskSpec(MaskFamily.TOKEN_TOPK, 5.0), new MaskSpec(MaskFamily.BLOCK_TOPK, 2.0));
            Shape s = new Shape("t", Scale.CPU, 1, 2, 2, n[0], n[1], 8, 8, 16, masks);
            for (MaskSpec spec : masks) {
                assertMatchesBruteForce(s, spec, 11);
            }
        }
    }

    @Property(tries = 25)
    void randomShapesAndMasks(@ForAll @IntRange(min = 1, max = 70) int nq, @ForAll @IntRange(min = 1, max = 70) int nk,
                              @ForAll @IntRange(min = 0, max = 11) int maskIndex,
                              @ForAll @IntRange(min = 1, max = 40) int block) {
        MaskSpec spec = MaskSpec.gymDefaults().get(maskIndex);
        if (spec.family() == MaskFamily.DOCUMENT) {
            nk = nq;
        }
        Shape s = new Shape("t", Scale.CPU, 2, 2, 1, nq, nk, 4, 4, block, List.of(spec));
        assertMatchesBruteForce(s, spec, nq * 131L + nk);
    }

    /** A local window when Nq > Nk: rows with i' < 0 are not global tokens; their windows hold no key. */
    @Test
    void windowRowsBeforeTheFirstKeyCountNothing() {
        Shape s = new Shape("t", Scale.CPU, 1, 1, 1, 5, 1, 4, 4, 16, List.of(MaskSpec.of(MaskFamily.DENSE)));
        StaticMask window = new StaticMask(5, 1, false, SlidingWindow.of(0, 0), null);
        assertEquals(1, PairCounter.countHead(s, window, null, null, null, null, 0, 0));
        StaticMask global = new StaticMask(8, 4, false, SlidingWindow.of(1, 0, 2), null);
        Shape wide = new Shape("t", Scale.CPU, 1, 1, 1, 8, 4, 4, 4, 16, List.of(MaskSpec.of(MaskFamily.DENSE)));
        // i' = -4 .. 3: four rows see only the global keys {0, 1}, then 4 + 4 + 3 + 4.
        assertEquals(4 * 2 + 4 + 4 + 3 + 4, PairCounter.countHead(wide, global, null, null, null, null, 0, 0));
    }

    @Test
    void flopsFollowTheSpec() {
        // Dense, D = Dv: 4 B H N^2 D; backward 2.5x; causal about halves it.
        Shape s = new Shape("t", Scale.FULL, 2, 3, 3, 64, 64, 32, 32, 16, MaskSpec.flashAttentionDefaults());
        MaskInstance dense = MaskInstance.resolve(MaskSpec.of(MaskFamily.DENSE), s, 1);
        long p = PairCounter.count(s, dense, 1, null);
        Work fwd = Work.of(p, s.densePairs(), 32, 32, false);
        assertEquals(4.0 * 2 * 3 * 64 * 64 * 32, fwd.flops());
        assertEquals(1.0, fwd.density());
        assertEquals(2.5 * fwd.flops(), Work.of(p, s.densePairs(), 32, 32, true).flops());
        MaskInstance causal = MaskInstance.resolve(MaskSpec.of(MaskFamily.CAUSAL), s, 1);
        long pc = PairCounter.count(s, causal, 1, null);
        assertEquals(2L * 3 * 64 * 65 / 2, pc);
        Work cw = Work.of(pc, s.densePairs(), 32, 32, false);
        assertEquals(65.0 / 128, cw.density(), 1e-12);
        // Dense-equivalent TFLOP/s counts the dense problem over the measured time.
        assertEquals(fwd.flops() / 1e-3 / 1e12, cw.denseEquivalentTflops(1.0), 1e-9);
        assertEquals(2 * (32 + 16) * 10.0, Work.of(10, 100, 32, 16, false).flops());
        assertThrows(IllegalArgumentException.class, () -> Work.of(101, 100, 8, 8, false));
    }

    @Test
    void blockTopKNeedsTheData() {
        Shape s = new Shape("t", Scale.CPU, 1, 1, 1, 32, 32, 4, 4, 8, List.of(MaskSpec.of(MaskFamily.BLOCK_TOPK)));
        MaskInstance m = MaskInstance.resolve(MaskSpec.of(MaskFamily.BLOCK_TOPK), s, 1);
        assertThrows(IllegalArgumentException.class, () -> PairCounter.count(s, m, 1, null));
    }

    /** P from the counter == pairs with non-zero softmax weight in the reference == the reference's own count. */
    static void assertMatchesBruteForce(Shape s, MaskSpec spec, long seed) {
        MaskInstance mask = MaskInstance.resolve(spec, s, seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] q = random(rnd, s.batch() * s.headsQ() * s.seqQ() * s.headDim());
        float[] k = random(rnd, s.batch() * s.headsKv() * s.seqK() * s.headDim());
        float[] v = random(rnd, s.batch() * s.headsKv() * s.seqK() * s.valueDim());
        try (Tensor tq = Tensor.of(q, s.batch(), s.headsQ(), s.seqQ(), s.headDim());
             Tensor tk = Tensor.of(k, s.batch(), s.headsKv(), s.seqK(), s.headDim());
             Tensor tv = Tensor.of(v, s.batch(), s.headsKv(), s.seqK(), s.valueDim())) {
            // Softmax gives every allowed pair a positive weight, whatever the normalizer of the mask.
            AttentionRequest r = mask.applyTo(AttentionRequest.builder(tq, tk, tv)).normalizer(Normalizer.SOFTMAX)
                    .returnProbabilities(true).build();
            long brute = 0;
            try (AttentionResult res = REFERENCE.forward(r)) {
                for (float p : res.probabilities().orElseThrow().toFloatArray()) {
                    if (p > 0) {
                        brute++;
                    }
                }
                assertEquals(res.allowedPairs().getAsLong(), brute, "reference count, " + s + " " + mask);
            }
            PairCounter.HeadReader data = new PairCounter.HeadReader() {
                @Override
                public float[] queries(int b, int h) {
                    float[] out = new float[s.seqQ() * s.headDim()];
                    System.arraycopy(q, (b * s.headsQ() + h) * out.length, out, 0, out.length);
                    return out;
                }

                @Override
                public float[] keys(int b, int kvHead) {
                    float[] out = new float[s.seqK() * s.headDim()];
                    System.arraycopy(k, (b * s.headsKv() + kvHead) * out.length, out, 0, out.length);
                    return out;
                }
            };
            assertEquals(brute, PairCounter.count(s, mask, r.scale(), data), s.describe() + " " + mask);
            if (!mask.isDynamic()) {
                StaticMask sm = mask.staticMask(s.seqQ(), s.seqK());
                long pairs = 0;
                for (int b = 0; b < s.batch(); b++) {
                    for (int h = 0; h < s.headsQ(); h++) {
                        for (int i = 0; i < s.seqQ(); i++) {
                            for (int j = 0; j < s.seqK(); j++) {
                                pairs += sm.allowed(b, h, i, j) ? 1 : 0;
                            }
                        }
                    }
                }
                assertEquals(pairs, brute, "pair enumeration, " + mask);
            }
        }
    }

    static float[] random(SplittableRandom rnd, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) rnd.nextGaussian();
        }
        return out;
    }
}
