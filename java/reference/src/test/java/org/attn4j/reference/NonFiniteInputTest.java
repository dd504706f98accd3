package org.attn4j.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The oracle on non-finite input (SPEC): NaN rows, infinite scores, huge finite scores, the ranking of token top-k.
 * It never throws for a valid request, and every row a non-finite value does not reach stays exactly as it was.
 */
class NonFiniteInputTest {
    private final ReferenceProvider reference = new ReferenceProvider();

    private static float[] random(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** O, LSE (softmax, else null), dQ, dK, dV of a dense call with Nq = 6, Nk = 5, D = Dv = 3. */
    private float[][] run(float[] q, float[] k, float[] v, Normalizer normalizer, double scale, int topK) {
        float[] dO = random(99, q.length);
        try (Tensor tq = Tensor.of(q, 1, 1, q.length / 3, 3); Tensor tk = Tensor.of(k, 1, 1, k.length / 3, 3);
             Tensor tv = Tensor.of(v, 1, 1, v.length / 3, 3); Tensor tdO = Tensor.of(dO, 1, 1, q.length / 3, 3)) {
            AttentionRequest.Builder b = AttentionRequest.builder(tq, tk, tv).normalizer(normalizer).scale(scale)
                    .returnLse(normalizer == Normalizer.SOFTMAX);
            if (topK > 0) {
                b.topKTokens(topK);
            }
            AttentionRequest r = b.build();
            try (AttentionResult res = reference.forward(r);
                 AttentionGradients g = reference.backward(BackwardRequest.of(r, res, tdO))) {
                return new float[][] {res.output().toFloatArray(),
                        res.lse().map(Tensor::toFloatArray).orElse(null), g.dq().toFloatArray(),
                        g.dk().toFloatArray(), g.dv().toFloatArray()};
            }
        }
    }

    private static void assertRowNaN(float[] x, int row, int width, String what) {
        for (int c = 0; c < width; c++) {
            assertTrue(Float.isNaN(x[row * width + c]), what + " row " + row + " = " + x[row * width + c]);
        }
    }

    private static void assertRowsEqual(float[] expected, float[] actual, int row, int width, String what) {
        for (int c = 0; c < width; c++) {
            assertEquals(expected[row * width + c], actual[row * width + c], what + " row " + row);
        }
    }

    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void nanInAQueryMakesItsRowNaNAndNothingElse(Normalizer normalizer) {
        float[] q = random(1, 18);
        float[] k = random(2, 15);
        float[] v = random(3, 15);
        float[][] clean = run(q, k, v, normalizer, 0.7, 0);
        q[2 * 3 + 1] = Float.NaN;
        float[][] dirty = run(q, k, v, normalizer, 0.7, 0);
        assertRowNaN(dirty[0], 2, 3, "O");
        assertRowNaN(dirty[2], 2, 3, "dQ");
        if (normalizer == Normalizer.SOFTMAX) {
            assertTrue(Float.isNaN(dirty[1][2]), "LSE");
        }
        for (int i = 0; i < 6; i++) {
            if (i != 2) {
                assertRowsEqual(clean[0], dirty[0], i, 3, "O");
                assertRowsEqual(clean[2], dirty[2], i, 3, "dQ");
            }
        }
        // Row 2 attends every key: all of dK and dV are NaN, never zero.
        for (int x = 0; x < 15; x++) {
            assertTrue(Float.isNaN(dirty[3][x]) && Float.isNaN(dirty[4][x]), "dK, dV at " + x);
        }
    }

    /** +inf scores meet inf - inf in every normalizer; entmax used to throw ArrayIndexOutOfBounds here. */
    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void infiniteKeysMakeEveryRowNaN(Normalizer normalizer) {
        float[] q = random(4, 18);
        for (int x = 0; x < q.length; x++) {
            q[x] = Math.abs(q[x]) + 0.5f;
        }
        float[] k = random(5, 15);
        k[4] = Float.POSITIVE_INFINITY;
        float[][] out = run(q, k, random(6, 15), normalizer, 1, 0);
        for (int i = 0; i < 6; i++) {
            assertRowNaN(out[0], i, 3, normalizer + " O");
        }
        if (normalizer == Normalizer.SOFTMAX) {
            assertTrue(Float.isNaN(out[1][0]), "LSE");
        }
    }

    /** -inf scores next to finite ones weigh exactly 0: the result is that of the other keys alone. */
    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void negativeInfiniteScoresWeighNothing(Normalizer normalizer) {
        float[] q = random(7, 18);
        for (int x = 0; x < q.length; x++) {
            q[x] = Math.abs(q[x]) + 0.5f;
        }
        float[] k = random(8, 15);
        float[] v = random(9, 15);
        float[] fewerK = new float[12];
        float[] fewerV = new float[12];
        System.arraycopy(k, 0, fewerK, 0, 3);
        System.arraycopy(k, 6, fewerK, 3, 9);
        System.arraycopy(v, 0, fewerV, 0, 3);
        System.arraycopy(v, 6, fewerV, 3, 9);
        k[4] = Float.NEGATIVE_INFINITY; // key 1 scores -inf for every (positive) query
        v[5] = Float.NaN;               // and its value is NaN: weight 0 still contributes nothing
        float[][] with = run(q, k, v, normalizer, 1, 0);
        float[][] without = run(q, fewerK, fewerV, normalizer, 1, 0);
        assertArrayEquals(without[0], with[0], 1e-6f, "O");
        assertArrayEquals(without[2], with[2], 1e-6f, "dQ");
        // Every key -inf: -inf - -inf, a NaN row, not an empty one.
        for (int j = 0; j < 5; j++) {
            k[3 * j] = Float.NEGATIVE_INFINITY;
        }
        float[][] all = run(q, k, v, normalizer, 1, 0);
        assertRowNaN(all[0], 0, 3, normalizer + " O");
    }

    /** Scores near 1e300 neither overflow nor cancel in sparsemax's and entmax's thresholds. */
    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void hugeFiniteScores(Normalizer normalizer) {
        float[] q = {1, 0, 0};
        float[] k = {1, 0, 0, 0.5f, 0, 0, 1, 0, 0};
        float[] v = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        float[][] out = run(q, k, v, normalizer, 1e300, 0);
        // Keys 0 and 2 share the top score, 5e299 above key 1: each takes half of the weight.
        assertArrayEquals(new float[] {0.5f, 0, 0.5f}, out[0], 1e-7f, normalizer.toString());
    }

    /**
     * Softmax's row term is {@code delta = dO . O}, FlashAttention's rowsum(dO * O) (SPEC), not the equal
     * {@code sum_j p_j dP_j}: with an infinite dO they differ. Two keys of weight 1/2 with values 1 and -3 give
     * {@code O = -1}; {@code dO = +inf} gives {@code dP = (+inf, -inf)} and {@code delta = -inf}, so
     * {@code dS = (+inf, NaN)}: dK of key 0 is {@code +inf}, not NaN.
     */
    @Test
    void softmaxRowTermIsGradOutputDotOutput() {
        try (Tensor q = Tensor.of(new float[] {1, 1, 1}, 1, 1, 1, 3);
             Tensor k = Tensor.of(new float[] {1, 0, 0, 1, 0, 0}, 1, 1, 2, 3);
             Tensor v = Tensor.of(new float[] {1, 0, 0, -3, 0, 0}, 1, 1, 2, 3);
             Tensor dO = Tensor.of(new float[] {Float.POSITIVE_INFINITY, 0, 0}, 1, 1, 1, 3)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).scale(1).build();
            try (AttentionResult res = reference.forward(r);
                 AttentionGradients g = reference.backward(BackwardRequest.of(r, res, dO))) {
                float inf = Float.POSITIVE_INFINITY;
                assertArrayEquals(new float[] {-1, 0, 0}, res.output().toFloatArray(), "O");
                assertArrayEquals(new float[] {inf, inf, inf, Float.NaN, Float.NaN, Float.NaN},
                        g.dk().toFloatArray(), "dK");
                assertArrayEquals(new float[] {inf, 0, 0, inf, 0, 0}, g.dv().toFloatArray(), "dV");
            }
        }
    }

    /**
     * Entmax-1.5 keys exactly on the threshold ({@code s / 2 = tau}) have weight exactly 0, so their infinite values
     * contribute nothing (SPEC): scores (1, -1, -1, -1, -1) give the top key weight 1 and put the others on the
     * threshold; scores (0, 0, 0, 0, -1) give four weights of 1/4 and put the fifth key on it. Rounding in the
     * closed form over the larger support used to put tau 2^-52 below the threshold, a weight of 1e-32 that made O
     * infinite or NaN.
     */
    @Test
    void entmaxKeysOnTheThresholdWeighNothing() {
        float inf = Float.POSITIVE_INFINITY;
        assertArrayEquals(new float[] {2}, entmaxOneQuery(new float[] {1, -1, -1, -1, -1},
                new float[] {2, -inf, inf, inf, -inf}), "one key");
        assertArrayEquals(new float[] {2.5f}, entmaxOneQuery(new float[] {0, 0, 0, 0, -1},
                new float[] {1, 2, 3, 4, inf}), "four keys");
    }

    /** O of entmax-1.5 for one query {@code q = 1}, {@code D = Dv = 1}, keys {@code k} (the scores), values v. */
    private float[] entmaxOneQuery(float[] k, float[] v) {
        try (Tensor tq = Tensor.of(new float[] {1}, 1, 1, 1, 1); Tensor tk = Tensor.of(k, 1, 1, k.length, 1);
             Tensor tv = Tensor.of(v, 1, 1, v.length, 1)) {
            AttentionRequest r = AttentionRequest.builder(tq, tk, tv).scale(1).normalizer(Normalizer.ENTMAX15)
                    .build();
            try (AttentionResult res = reference.forward(r)) {
                return res.output().toFloatArray();
            }
        }
    }

    /** scale 0: every score is +0.0 or -0.0, which tie; the lower keys win (Double.compare would pick +0.0). */
    @Test
    void tokenTopKTiesSignedZeros() {
        float[] q = {1, 0, 0, -1, 0, 0};
        float[] k = {-2, 0, 0, 3, 0, 0, -1, 0, 0, 4, 0, 0, 5, 0, 0};
        float[] v = new float[15];
        for (int j = 0; j < 5; j++) {
            v[3 * j] = j;
        }
        float[][] out = run(q, k, v, Normalizer.SOFTMAX, 0.0, 2);
        // Both queries keep keys 0 and 1 whatever the signs of their zero scores: O = (0 + 1) / 2.
        assertEquals(0.5f, out[0][0], 1e-7f);
        assertEquals(0.5f, out[0][3], 1e-7f);
    }

    /** NaN ranks first (torch.topk's order): the row keeps the NaN key and turns NaN. */
    @Test
    void tokenTopKKeepsNaN() {
        float[] q = {1, 0, 0};
        float[] k = {9, 0, 0, Float.NaN, 0, 0, 8, 0, 0, 7, 0, 0};
        float[][] out = run(q, k, random(10, 12), Normalizer.SPARSEMAX, 1, 2);
        assertRowNaN(out[0], 0, 3, "O");
    }
}
