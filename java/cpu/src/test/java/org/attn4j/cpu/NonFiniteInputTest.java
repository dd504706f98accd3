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
