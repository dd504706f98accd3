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
    }
}
