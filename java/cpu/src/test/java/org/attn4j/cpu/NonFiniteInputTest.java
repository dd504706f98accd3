package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SPEC, non-finite input: a row whose allowed scores include a NaN or +inf, or are all -inf, gives NaN in O and
 * LSE, never an empty row's O = 0 and LSE = -inf; -inf scores next to finite ones get weight 0; every other row stays
 * what it was. {@code cpu} must give exactly the reference's NaN pattern (forward and backward) and its values
 * elsewhere, on each of its paths: online softmax, buffered rows (probabilities, token top-k), sparse thresholds.
 */
class NonFiniteInputTest {
    private static final int NQ = 24;
    private static final int NK = 40;
    private static final int D = 8;

    /** Masks and outputs that take each of the provider's code paths. */
    private static final List<UnaryOperator<AttentionRequest.Builder>> CONFIGS = configs();

    private static List<UnaryOperator<AttentionRequest.Builder>> configs() {
        boolean[][] cells = {{true, false, true, true, false}, {false, true, true, false, true},
                {true, true, false, true, true}};
        BlockMask blocks = BlockMask.of(cells, 8, 8);
        return List.of(
            b -> b,
            b -> b.causal(),
            b -> b.window(5, 2).globalTokens(2),
            b -> b.blockMask(blocks),
            b -> b.topKTokens(6),
            b -> b.causal().returnProbabilities(true),
            b -> b.topKBlocks(2, 8, 8));
    }

    /** Q rows 3 and 17 hold a NaN: those rows are NaN, all others exact. */
    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void nanInQueryRows(Normalizer normalizer) {
        float[][] in = inputs(1);
        in[0][3 * D + 2] = Float.NaN;
        in[0][17 * D] = Float.NaN;
        compareAll(in, normalizer, 1.0);
    }

    /** A NaN or +inf in a key: every row that keeps it is NaN (+inf meets inf - inf). */
    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void nanAndInfinityInKeys(Normalizer normalizer) {
        float[][] in = inputs(2);
        in[1][5 * D + 1] = Float.NaN;
        in[1][30 * D + 4] = Float.POSITIVE_INFINITY;
        compareAll(in, normalizer, 1.0);
    }

    /** Positive queries against keys with a -inf component: -inf scores, weight 0 next to finite ones. */
    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void negativeInfiniteScores(Normalizer normalizer) {
        float[][] in = inputs(3);
        for (int x = 0; x < NQ * D; x++) {
            in[0][x] = Math.abs(in[0][x]) + 0.1f;
        }
        for (int j : new int[] {0, 7, 8, 9, 21, 39}) {
            in[1][j * D + 3] = Float.NEGATIVE_INFINITY;
        }
        compareAll(in, normalizer, 1.0);
        // Every key -inf: each row is NaN, not empty.
        for (int j = 0; j < NK; j++) {
            in[1][j * D] = Float.NEGATIVE_INFINITY;
        }
        compareAll(in, normalizer, 1.0);
    }

    /**
     * A query component times the scale that is below float's range is still not zero: against a {@code -inf} key
     * component it gives a {@code -inf} score (weight 0), as {@code scale * dot} does, never {@code 0 * -inf = NaN}.
     * Both with a scale that rounds to 0 in float (1e-300) and with subnormal queries at an ordinary scale.
     */
    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void negativeInfiniteKeysAgainstQueriesScaledBelowFloatRange(Normalizer normalizer) {
        float[][] in = inputs(7);
        for (int x = 0; x < NQ * D; x++) {
            in[0][x] = Math.abs(in[0][x]) + 0.1f;
        }
        for (int j : new int[] {2, 9, 30}) {
            in[1][j * D + 5] = Float.NEGATIVE_INFINITY;
        }
        compareAll(in, normalizer, 1e-300);
        for (int x = 0; x < NQ * D; x++) {
            in[0][x] = Float.MIN_VALUE * (1 + x % 3);
        }
        compareAll(in, normalizer, 0.25);
    }

    /**
     * Entmax-1.5 keys exactly on the threshold have weight exactly 0 (SPEC), so their NaN and infinite values
     * contribute nothing: scores (2, 1.5, 1, 1, 1) and seven of 0.5 give tau = 3/4 (in s/2), the weights
     * (9, 4, 1, 1, 1) / 16, and put the seven on the threshold, where the closed form over all twelve used to round
     * tau 2^-52 below it (weights of 4e-32, and O NaN). Likewise (0, 0, 0, 0, -1).
     */
    @Test
    void entmaxKeysOnTheThresholdWeighNothing() {
        float inf = Float.POSITIVE_INFINITY;
        float nan = Float.NaN;
        assertEquals((9 + 4 * 2 + 3 + 4 + 5) / 16f,
                entmaxOneQuery(new float[] {2, 1.5f, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f},
                        new float[] {1, 2, 3, 4, 5, nan, inf, -inf, nan, inf, -inf, nan}), "tau = 3/4");
        assertEquals(2.5f, entmaxOneQuery(new float[] {0, 0, 0, 0, -1}, new float[] {1, 2, 3, 4, inf}), "tau = -1/2");
    }

    /** O of entmax-1.5 on {@code cpu} for one query {@code q = 1}, scale 1, {@code D = Dv = 1}. */
    private static float entmaxOneQuery(float[] scores, float[] v) {
        try (Tensor q = Tensor.of(new float[] {1}, 1, 1, 1, 1);
             Tensor k = Tensor.of(scores, 1, 1, scores.length, 1);
             Tensor tv = Tensor.of(v, 1, 1, v.length, 1)) {
            AttentionRequest r = AttentionRequest.builder(q, k, tv).scale(1).normalizer(Normalizer.ENTMAX15).build();
            try (AttentionResult a = Fixtures.CPU.forward(r)) {
                return a.output().toFloatArray()[0];
            }
        }
    }

    /** Scores near 1e30: sparsemax and entmax thresholds work relative to the row's maximum and stay finite. */
    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void hugeFiniteScores(Normalizer normalizer) {
        float[][] in = inputs(4);
        for (int x = 0; x < in[1].length; x++) {
            in[1][x] = Math.round(in[1][x] * 4);
        }
        compareAll(in, normalizer, 1e29);
    }

    /**
     * NaN and infinities in V and dO: a kept key's NaN or infinity reaches O and the gradients of its rows as IEEE
     * arithmetic says, while a key of weight 0 (masked, dropped, outside a sparse support) contributes nothing,
     * also to dS: {@code 0 * (dP - delta)} is 0 there even where dP or delta is NaN or infinite.
     */
    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void nanAndInfinityInValuesAndGradOutput(Normalizer normalizer) {
        float[][] in = inputs(5);
        in[2][6 * D + 3] = Float.NaN;
        in[2][19 * D] = Float.POSITIVE_INFINITY;
        in[2][33 * D + 7] = Float.NEGATIVE_INFINITY;
        compareAll(in, normalizer, 1.0);
        in = inputs(6);
        in[3][4 * D + 1] = Float.NaN;
        in[3][(NQ + 20) * D + 5] = Float.NEGATIVE_INFINITY;
        compareAll(in, normalizer, 1.0);
    }

    /**
     * Huge scores with a tie, and the gradients: q = 1, keys (1, 1, -1), scale 2^60, V = (1, 3, 5), dO = 1. The
     * first two keys share the top score, so every normalizer gives p = (1/2, 1/2, 0), O = 2, dV = p dO =
     * (1/2, 1/2, 0), dP = (1, 3, 5), delta = 2, dS = w (dP - delta) = w (-1, 1, 0) with w = p, 1 or sqrt(p),
     * dK = scale dS q and dQ = scale dS.k = 0. A log-sum-exp of 2^60 + log 2 is 2^60 in float (and in double), so
     * softmax's weights must not be recomputed from it.
     */
    @Test
    void hugeScoresWithATieKeepTheirWeightsInTheBackwardPass() {
        for (Normalizer normalizer : Normalizer.values()) {
            for (boolean returnLse : new boolean[] {false, normalizer == Normalizer.SOFTMAX}) {
                try (Tensor q = Tensor.of(new float[] {1}, 1, 1, 1, 1);
                     Tensor k = Tensor.of(new float[] {1, 1, -1}, 1, 1, 3, 1);
                     Tensor v = Tensor.of(new float[] {1, 3, 5}, 1, 1, 3, 1);
                     Tensor dO = Tensor.of(new float[] {1}, 1, 1, 1, 1)) {
                    AttentionRequest r = AttentionRequest.builder(q, k, v).scale(0x1p60).normalizer(normalizer)
                            .returnLse(returnLse).build();
                    String what = normalizer + (returnLse ? " with the forward's LSE" : "");
                    try (AttentionResult a = Fixtures.CPU.forward(r);
                         AttentionGradients g = Fixtures.CPU.backward(BackwardRequest.of(r, a, dO))) {
                        assertEquals(2f, a.output().toFloatArray()[0], what + ": O");
                        assertEquals(Arrays.toString(new float[] {0.5f, 0.5f, 0}),
                                Arrays.toString(g.dv().toFloatArray()), what + ": dV");
                        double w = normalizer == Normalizer.SOFTMAX ? 0.5
                                : normalizer == Normalizer.SPARSEMAX ? 1 : Math.sqrt(0.5);
                        float[] dk = g.dk().toFloatArray();
                        assertEquals(-w * 0x1p60, dk[0], w * 0x1p60 * 1e-6, what + ": dK[0]");
                        assertEquals(w * 0x1p60, dk[1], w * 0x1p60 * 1e-6, what + ": dK[1]");
                        assertEquals(0f, dk[2], what + ": dK[2]");
                        assertEquals(0f, g.dq().toFloatArray()[0], what + ": dQ");
                    }
                }
            }
        }
    }

    private static float[][] inputs(long seed) {
        Random r = new Random(seed);
        float[][] in = {new float[2 * NQ * D], new float[NK * D], new float[NK * D], new float[2 * NQ * D]};
        for (float[] x : in) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
        }
        return in;
    }

    private static void compareAll(float[][] in, Normalizer normalizer, double scale) {
        for (int c = 0; c < CONFIGS.size(); c++) {
            compare(in, normalizer, scale, CONFIGS.get(c), normalizer + " config " + c);
        }
    }

    /** One query head pair (GQA 2:1) on one kv head; forward and backward against the reference. */
    private static void compare(float[][] in, Normalizer normalizer, double scale,
                                UnaryOperator<AttentionRequest.Builder> config, String what) {
        try (Tensor q = Tensor.of(in[0], 1, 2, NQ, D); Tensor k = Tensor.of(in[1], 1, 1, NK, D);
             Tensor v = Tensor.of(in[2], 1, 1, NK, D); Tensor dO = Tensor.of(in[3], 1, 2, NQ, D)) {
            AttentionRequest r = config.apply(AttentionRequest.builder(q, k, v).scale(scale).normalizer(normalizer)
                    .returnLse(normalizer == Normalizer.SOFTMAX)).build();
            try (AttentionResult a = Fixtures.CPU.forward(r); AttentionResult e = Fixtures.REFERENCE.forward(r)) {
                same("O", a.output().toFloatArray(), e.output().toFloatArray(), 1e-5, what);
                if (r.returnLse()) {
                    same("LSE", a.lse().get().toFloatArray(), e.lse().get().toFloatArray(), 1e-5, what);
                }
                if (r.returnProbabilities()) {
                    same("probabilities", a.probabilities().get().toFloatArray(),
                            e.probabilities().get().toFloatArray(), 1e-5, what);
                }
                assertEquals(e.allowedPairs(), a.allowedPairs(), what + ": allowed pairs");
                try (AttentionGradients ga = Fixtures.CPU.backward(BackwardRequest.of(r, a, dO));
                     AttentionGradients ge = Fixtures.REFERENCE.backward(BackwardRequest.of(r, e, dO))) {
                    same("dQ", ga.dq().toFloatArray(), ge.dq().toFloatArray(), 1e-4, what);
                    same("dK", ga.dk().toFloatArray(), ge.dk().toFloatArray(), 1e-4, what);
                    same("dV", ga.dv().toFloatArray(), ge.dv().toFloatArray(), 1e-4, what);
                }
            }
        }
    }

    /** The same NaN and infinity positions, and the finite values within {@code tol} of the reference's norm. */
    private static void same(String name, float[] actual, float[] expected, double tol, String what) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < actual.length; i++) {
            boolean finite = Float.isFinite(expected[i]);
            if (!finite || !Float.isFinite(actual[i])) {
                assertEquals(expected[i], actual[i], what + ": " + name + "[" + i + "]");
                continue;
            }
            diff += Math.pow((double) actual[i] - expected[i], 2);
            norm += Math.pow(expected[i], 2);
        }
        double err = norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
        assertTrue(err <= tol, what + ": " + name + " relative error " + err + " of the finite entries; reference "
                + Arrays.toString(Arrays.copyOf(expected, 8)) + ", cpu " + Arrays.toString(Arrays.copyOf(actual, 8)));
    }
}
