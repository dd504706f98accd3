package org.attn4j.bench.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.BlockTopK;
import org.attn4j.mask.SlidingWindow;
import org.attn4j.mask.TokenTopK;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.bench.workload.MaskFamily;
import org.attn4j.bench.workload.MaskInstance;
import org.attn4j.bench.workload.MaskSpec;
import org.attn4j.bench.workload.Scale;
import org.attn4j.bench.workload.Shape;
import org.junit.jupiter.api.Test;

/**
 * The sampled slices must compute exactly the rows of the full problem: the reference's full output, read back at
 * the sampled rows, equals the reference's output on the reduced problems (bottom-right alignment, tile means and
 * block-mask cells preserved).
 */
class SamplePlannerTest {
    private static final ReferenceProvider REFERENCE = new ReferenceProvider();

    @Test
    void standardMasksOnSquareShape() {
        Shape s = new Shape("t", Scale.CPU, 2, 2, 1, 160, 160, 8, 8, 16, MaskSpec.gymDefaults());
        for (MaskSpec spec : MaskSpec.gymDefaults()) {
            assertSlicesExact(s, MaskInstance.resolve(spec, s, 3), 3);
        }
    }

    @Test
    void causalAndWindowsWithMoreKeysThanQueries() {
        Shape s = new Shape("t", Scale.CPU, 1, 2, 2, 130, 300, 8, 8, 32, List.of(MaskSpec.of(MaskFamily.CAUSAL)));
        MaskInstance causal = MaskInstance.resolve(MaskSpec.of(MaskFamily.CAUSAL), s, 1);
        List<Sample> samples = SamplePlanner.plan(s, causal);
        assertTrue(samples.stream().anyMatch(x -> x.keys() < 300), "causal rows need only a key prefix: " + samples);
        assertSlicesExact(s, causal, 1);
        MaskInstance window = custom(true, SlidingWindow.of(40, 0, 0), null, null, null);
        assertSlicesExact(s, window, 2);
        // Global tokens: early rows see every key, so their tiles fall back to ones that keep all keys.
        assertSlicesExact(s, custom(false, SlidingWindow.of(20, 10, 70), null, null, null), 3);
        assertSlicesExact(s, custom(true, null, null, BlockTopK.of(2, 32, 32), null), 4);
        // Nk - Nq = 170 is not a multiple of the key tile: prefixes would cut a tile, only the last tile is used.
        MaskInstance topk = custom(true, null, null, BlockTopK.of(2, 32, 20), TokenTopK.of(9));
        for (Sample x : SamplePlanner.plan(s, topk)) {
            assertEquals(300, x.keys());
        }
        assertSlicesExact(s, topk, 5);
    }

    @Test
    void tilesFollowBlockSizes() {
        MaskInstance m = custom(false, null, null, BlockTopK.of(1, 24, 40), null);
        assertEquals(120, SamplePlanner.tileRows(m));
        assertEquals(64, SamplePlanner.tileRows(custom(true, null, null, null, null)));
        Shape s = new Shape("t", Scale.CPU, 3, 4, 4, 500, 500, 8, 8, 16, List.of(MaskSpec.of(MaskFamily.DENSE)));
        List<Sample> samples = SamplePlanner.plan(s, MaskInstance.resolve(MaskSpec.of(MaskFamily.DENSE), s, 1));
        assertEquals(List.of(new Sample(0, 0, 0, 64, 500), new Sample(0, 0, 448, 52, 500),
                new Sample(2, 3, 256, 64, 500), new Sample(2, 3, 448, 52, 500)), samples);
    }

    @Property(tries = 20)
    void randomMasksSliceExactly(@ForAll @IntRange(min = 1, max = 150) int nq,
                                 @ForAll @IntRange(min = 1, max = 150) int nk,
                                 @ForAll @IntRange(min = 0, max = 63) int flags,
                                 @ForAll @IntRange(min = 1, max = 40) int left,
                                 @ForAll @IntRange(min = 0, max = 30) int right,
                                 @ForAll @IntRange(min = 0, max = 20) int global,
                                 @ForAll @IntRange(min = 4, max = 40) int tile) {
        boolean causal = (flags & 1) != 0;
        SlidingWindow window = (flags & 2) != 0 ? SlidingWindow.of(left, right, global) : null;
        SplittableRandom rnd = new SplittableRandom(flags * 31L + nq);
        BlockMask bm = null;
        if ((flags & 4) != 0) {
            int qb = (nq + tile - 1) / tile;
            int kb = (nk + 15) / 16;
            bm = BlockMask.fromFunction(1, 2, qb, kb, tile, 16, (b, h, q, k) -> rnd.nextInt(3) > 0);
        }
        BlockTopK topBlocks = (flags & 8) != 0 ? BlockTopK.of(2, tile, 8) : null;
        TokenTopK topTokens = (flags & 16) != 0 ? TokenTopK.of(7) : null;
        MaskInstance m = new MaskInstance(MaskFamily.DENSE, "random", causal, window, bm, topBlocks, topTokens,
                (flags & 32) != 0 ? Normalizer.ENTMAX15 : Normalizer.SOFTMAX, null);
        Shape s = new Shape("t", Scale.CPU, 1, 2, 1, nq, nk, 4, 4, 16, List.of(MaskSpec.of(MaskFamily.DENSE)));
        assertSlicesExact(s, m, flags);
    }

    private static MaskInstance custom(boolean causal, SlidingWindow w, BlockMask bm, BlockTopK bt, TokenTopK tt) {
        return new MaskInstance(MaskFamily.DENSE, "custom", causal, w, bm, bt, tt, Normalizer.SOFTMAX, null);
    }

    /** Checks the reference's own full output against the slices: the error must be zero. */
    static void assertSlicesExact(Shape s, MaskInstance mask, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Tensor q = random(rnd, s.batch(), s.headsQ(), s.seqQ(), s.headDim());
             Tensor k = random(rnd, s.batch(), s.headsKv(), s.seqK(), s.headDim());
             Tensor v = random(rnd, s.batch(), s.headsKv(), s.seqK(), s.valueDim());
             Tensor dO = random(rnd, s.batch(), s.headsQ(), s.seqQ(), s.valueDim())) {
            AttentionRequest r = mask.applyTo(AttentionRequest.builder(q, k, v)).build();
            List<Sample> samples = SamplePlanner.plan(s, mask);
            assertFalse(samples.isEmpty());
            for (Sample x : samples) {
                assertTrue(x.rows() >= 1 && x.keys() >= 1 && x.rowStart() + x.rows() <= s.seqQ(), x.toString());
            }
            ReferenceCheck check = new ReferenceCheck(REFERENCE);
            try (AttentionResult full = REFERENCE.forward(r)) {
                CheckResult c = check.forward(s, mask, r, full.output(), 0);
                assertTrue(c.relError() <= 1e-12, mask + " " + s.describe() + ": " + c);
                try (var g = REFERENCE.backward(org.attn4j.BackwardRequest.of(r, full, dO))) {
                    CheckResult b = check.backward(s, mask, r, dO, g.dq(), 0);
                    assertTrue(b.relError() <= 1e-12, "dQ " + mask + " " + s.describe() + ": " + b);
                }
            }
        }
    }

    static Tensor random(SplittableRandom rnd, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        return Tensor.of(data, shape);
    }
}
