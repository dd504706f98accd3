package org.attn4j.model.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.attn4j.Normalizer;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.GradCheck;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Finite differences against the full backward pass of a small two-layer decoder: every parameter tensor (embeddings,
 * both layer norms, c_attn, c_proj, the MLP, ln_f), so the attention backward that comes from the provider is
 * covered through c_attn's gradient, for each normaliser and for the extra masks.
 */
class GptGradientTest {
    private static final int BATCH = 2;
    private static final int LENGTH = 6;

    private static GptConfig config(LayerAttention attention) {
        return GptConfig.of(3, 8, 8, 2, 2).withMlpHidden(12).withAttention(attention);
    }

    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void everyParameterMatchesFiniteDifferences(Normalizer normalizer) {
        check(LayerAttention.of(normalizer), 1);
    }

    @Test
    void windowWithGlobalTokens() {
        check(LayerAttention.dense().withWindow(2, 1), 2);
    }

    @Test
    void tokenTopK() {
        check(LayerAttention.dense().withTokenTopK(2), 3);
    }

    @Test
    void untiedHeadAndCrossEntropy() {
        GptConfig c = GptConfig.of(3, 8, 8, 1, 2).withMlpHidden(12).withTiedEmbeddings(false);
        try (GptModel m = new GptModel(c, 5, Parallel.of(2))) {
            scaleUp(m, 5);
            int[] tokens = tokens(6);
            int[] targets = new int[BATCH * LENGTH];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = i % 3 == 0 ? CrossEntropy.IGNORE : tokens[(i + 1) % targets.length];
            }
            int rows = BATCH * LENGTH;
            float[] dLogits = new float[rows * 3];
            m.zeroGrad();
            float[] logits = m.forward(tokens, BATCH, LENGTH, GptModel.Mode.TRAIN_NO_DROPOUT);
            CrossEntropy.lossAndGradient(logits, targets, rows, 3, dLogits);
            m.backward(dLogits);
            DoubleSupplier loss = () -> CrossEntropy.lossAndGradient(
                    m.forward(tokens, BATCH, LENGTH, GptModel.Mode.EVAL), targets, rows, 3, null);
            for (Parameter p : m.parameters()) {
                GradCheck.check(p.name(), p.value(), p.grad(), loss, 2, 1e-2, 2e-2, 7);
            }
        }
    }

    @Test
    void backwardNeedsATrainingForward() {
        try (GptModel m = new GptModel(config(LayerAttention.dense()), 1, Parallel.serial())) {
            m.forward(tokens(1), BATCH, LENGTH, GptModel.Mode.EVAL);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> m.backward(new float[BATCH * LENGTH * 3]));
            assertEquals("backward: the last forward pass was not run in a training mode", e.getMessage());
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> m.forward(new int[] {0, 1, 5}, 1, 3, GptModel.Mode.EVAL));
            assertEquals("tokens[2]: expected 0..2, got 5", bad.getMessage());
        }
    }

    private static void check(LayerAttention attention, long seed) {
        try (GptModel m = new GptModel(config(attention), seed, Parallel.of(2))) {
            scaleUp(m, seed);
            int[] tokens = tokens(seed);
            float[] weights = GradCheck.gaussian(BATCH * LENGTH * 3, 1, seed + 100);
            m.zeroGrad();
            m.forward(tokens, BATCH, LENGTH, GptModel.Mode.TRAIN_NO_DROPOUT);
            m.backward(weights);
            DoubleSupplier loss = () -> GradCheck.dot(m.forward(tokens, BATCH, LENGTH, GptModel.Mode.EVAL), weights,
                    weights.length);
            for (Parameter p : m.parameters()) {
                GradCheck.check(attention.describe() + " " + p.name(), p.value(), p.grad(), loss, 2, 1e-2, 2e-2,
                        seed * 31 + p.size());
            }
        }
    }

    /** GPT-2's 0.02 initialisation makes every gradient tiny; larger weights give a well-conditioned check. */
    private static void scaleUp(GptModel m, long seed) {
        SplittableRandom r = new SplittableRandom(seed + 1000);
        for (Parameter p : m.parameters()) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (Parameter.gaussian(r) * 0.4);
            }
        }
    }

    private static int[] tokens(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[BATCH * LENGTH];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextInt(3);
        }
        return t;
    }
}
