package org.attn4j.model.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.function.IntBinaryOperator;
import org.attn4j.model.gpt.LayerAttention;
import org.junit.jupiter.api.Test;

/** The metrics on hand-made attention patterns. */
class EvaluationTest {
    private final ParityTask task = ParityTask.of(6, true, 1, 4);
    private final ParityData data = new ParityData(task, 1, 16, 0);

    /** A learner whose attention weights are given by {@code weight(row, key)} (normalised per row). */
    private static final class Scripted implements ParityLearner {
        private final IntBinaryOperator weight;
        private final boolean predictRight;

        Scripted(IntBinaryOperator weight, boolean predictRight) {
            this.weight = weight;
            this.predictRight = predictRight;
        }

        @Override
        public String kind() {
            return "scripted";
        }

        @Override
        public int layers() {
            return 1;
        }

        @Override
        public int heads() {
            return 1;
        }

        @Override
        public int[] scoredRows(ParityTask t) {
            return t.labelRows();
        }

        @Override
        public double train(int[] tokens, int[] targets, int batch, int length) {
            return 0;
        }

        @Override
        public Prediction predict(int[] tokens, int batch, int length, boolean attention) {
            int[] next = new int[batch * length];
            float[] p = new float[batch * length * length];
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < length; i++) {
                    int r = b * length + i;
                    next[r] = i + 1 < length ? tokens[r + 1] ^ (predictRight || i < 6 ? 0 : 1) : 0;
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        sum += weight.applyAsInt(i, j);
                    }
                    for (int j = 0; j <= i; j++) {
                        p[r * length + j] = (float) (weight.applyAsInt(i, j) / sum);
                    }
                }
            }
            return new Prediction(next, new float[][] {p});
        }

        @Override
        public void save(Path dir, ParityTask t) {
        }

        @Override
        public String attentionBackend() {
            return "scripted";
        }

        @Override
        public void close() {
        }
    }

    private Evaluation evaluate(Scripted learner) {
        return Evaluation.of(learner, task, data.evalSequences(), 16, 5, new LayerAttention[] {LayerAttention.dense()});
    }

    @Test
    void uniformAttentionHasEntropyOne() {
        Evaluation e = evaluate(new Scripted((i, j) -> 1, true));
        assertEquals(1.0, e.exactMatch());
        assertEquals(1.0, e.entropy()[0][0], 1e-6);
    }

    @Test
    void oneSparseRowMakesTheMinimumZero() {
        // Row 3 attends only to key 0; every other row is uniform. Eq. 1 takes the minimum over rows.
        Evaluation e = evaluate(new Scripted((i, j) -> i == 3 ? (j == 0 ? 1 : 0) : 1, true));
        assertEquals(0.0, e.entropy()[0][0], 1e-9);
    }

    @Test
    void rowsAreNormalisedByTheKeysTheySee() {
        // Every row i >= 3 splits evenly over 2 keys; rows 1 and 2 are uniform: min of ln2/ln4 and 1.
        Evaluation e = evaluate(new Scripted((i, j) -> i < 3 || j < 2 ? 1 : 0, true));
        assertEquals(Math.log(2) / Math.log(9), e.entropy()[0][0], 1e-6);
    }

    @Test
    void secretAttentionCountsRowsWhoseArgmaxIsTheirSecret() {
        // CoT rows are 6 (secret 1) and 7 (secret 4). Row 6 attends to its secret, row 7 to key 0.
        Evaluation e = evaluate(new Scripted((i, j) -> (i == 6 && j == 1) || (i == 7 && j == 0) ? 9 : 1, true));
        assertEquals(0.5, e.secretAttention(), 1e-9);
        assertArrayEquals(new double[] {9.0 / 15, 1.0 / 16}, e.secretProbabilityByRow(), 1e-6);
        assertEquals((9.0 / 15 + 1.0 / 16) / 2, e.secretProbability(), 1e-6);
    }

    @Test
    void cotEntropyAveragesTheCotRowsOnly() {
        // Task n = 6, k = 2: CoT rows 6 and 7. Row 6 is one-hot (entropy 0), row 7 uniform over its 8 keys (1), and
        // an input row (3) one-hot: Eq. 1's minimum is 0, the CoT mean (0 + 1) / 2.
        Evaluation e = evaluate(new Scripted((i, j) -> (i == 6 || i == 3) ? (j == 1 ? 1 : 0) : 1, true));
        assertEquals(0.0, e.entropy()[0][0], 1e-9);
        assertEquals(0.5, e.cotEntropyMean()[0][0], 1e-6);
        // Row 6 puts weight 1 on its secret (1); row 7 spreads 1/8 everywhere, its secret (4) included.
        assertArrayEquals(new double[] {1.0, 1.0 / 8}, e.secretProbabilityByRow(), 1e-6);
        assertEquals(1.0 / 8, e.secretProbabilityMin(), 1e-6);
    }

    @Test
    void cotEntropyOfHalfSplitRows() {
        // every CoT row splits evenly between key 0 and its secret: H = ln 2, divided by ln(i + 1)
        Evaluation e = evaluate(new Scripted((i, j) -> i == 6 ? (j == 0 || j == 1 ? 1 : 0)
                : i == 7 ? (j == 0 || j == 4 ? 1 : 0) : 1, true));
        assertEquals((Math.log(2) / Math.log(7) + Math.log(2) / Math.log(8)) / 2, e.cotEntropyMean()[0][0], 1e-6);
        assertEquals(0.5, e.secretProbabilityMin(), 1e-6);
        assertEquals(0.0, e.secretAttention(), 1e-9, "the argmax rule gives a tie to the earlier key: no hit");
    }

    @Test
    void aWeakMaximumCountsAsAHitButNotAsProbability() {
        // Row 6 (keys 0..6) gives its secret weight 3 and the six others 1: the argmax is the secret at 1/3.
        Evaluation e = evaluate(new Scripted((i, j) -> i == 6 && j == 1 ? 3 : i == 7 && j == 4 ? 3 : 1, true));
        assertEquals(1.0, e.secretAttention(), 1e-9);
        assertArrayEquals(new double[] {3.0 / 9, 3.0 / 10}, e.secretProbabilityByRow(), 1e-6);
        assertEquals(3.0 / 10, e.secretProbabilityMin(), 1e-6);
    }

    @Test
    void oneWrongLabelledTokenBreaksTheExactMatch() {
        Evaluation e = evaluate(new Scripted((i, j) -> 1, false));
        assertEquals(0.0, e.exactMatch());
    }

    @Test
    void withoutCotThereIsNoSecretAttention() {
        ParityTask plain = task.withCot(false);
        Evaluation e = Evaluation.of(new Scripted((i, j) -> 1, true), plain, new ParityData(plain, 1, 16, 0)
                .evalSequences(), 16, 16, null);
        assertEquals(Double.NaN, e.secretAttention());
        assertEquals(0, e.secretProbabilityByRow().length);
        assertEquals(null, e.cotEntropyMean());
        assertEquals(Double.NaN, e.secretProbabilityMin());
    }
}
