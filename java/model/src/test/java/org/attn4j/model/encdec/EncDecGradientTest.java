package org.attn4j.model.encdec;

import static org.attn4j.model.encdec.EncDecFixtures.BATCH;
import static org.attn4j.model.encdec.EncDecFixtures.INPUT;
import static org.attn4j.model.encdec.EncDecFixtures.LENGTH;
import static org.attn4j.model.encdec.EncDecFixtures.VOCAB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.DoubleSupplier;
import org.attn4j.Normalizer;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.GradCheck;
import org.attn4j.model.nn.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite differences against the full backward pass of a small encoder-decoder (one encoder block, two decoder
 * blocks): every parameter tensor. The encoder's parameters receive their gradient only through the cross-attention,
 * so they check its gradient with respect to the encoder's output; the providers' attention backward is covered through
 * the gradients of every projection, for each normaliser and each sparsity pattern in all three attention kinds.
 */
class EncDecGradientTest {

    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void everyNormalizer(Normalizer normalizer) {
        check(EncDecFixtures.config(1, true).withAttention(new AttentionSpec(normalizer, Sparsity.dense())), 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"window:1,1", "tokentopk:3", "tokentopk:0.5", "blocktopk:2,2", "blockmask:0.5,2"})
    void everySparsityPattern(String pattern) {
        check(EncDecFixtures.config(1, true).withAttention(new AttentionSpec(Normalizer.SOFTMAX,
                Sparsity.parse(pattern))), pattern.hashCode());
    }

    @Test
    void sparsemaxAttentionWithTopK() {
        check(EncDecFixtures.config(1, true).withAttention(new AttentionSpec(Normalizer.SPARSEMAX,
                Sparsity.tokenTopK(3))), 3);
    }

    @Test
    void featureMask() {
        check(EncDecFixtures.config(1, true).withFeatureMask(0.5), 4);
    }

    @Test
    void twoInputFieldsWithoutPositions() {
        check(EncDecFixtures.config(2, false), 5);
    }

    @Test
    void sparsemaxOutputLoss() {
        checkLoss(EncDecFixtures.config(1, true).withOutput(OutputLayer.SPARSEMAX), 6);
    }

    @Test
    void softmaxOutputLossWithDropoutOff() {
        checkLoss(EncDecFixtures.config(1, true).withDropout(0.3f), 7);
    }

    @Test
    void backwardNeedsATrainingForward() {
        try (EncDecModel m = EncDecFixtures.randomModel(EncDecFixtures.config(1, true), 1)) {
            int[] input = EncDecFixtures.tokens(BATCH * INPUT, 1);
            int[] tokens = EncDecFixtures.tokens(BATCH * LENGTH, 2);
            m.forward(input, tokens, BATCH, INPUT, LENGTH, EncDecModel.Mode.EVAL, null, null);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> m.backward(new float[BATCH * LENGTH * VOCAB]));
            assertEquals("backward: the last forward pass was not run in a training mode", e.getMessage());
            // generation overwrites what a training pass kept
            m.forward(input, tokens, BATCH, INPUT, LENGTH, EncDecModel.Mode.TRAIN, null, null);
            new EncDecGenerator(m).generate(input, BATCH, INPUT, new int[BATCH], 1, 2, DecodeAttention.asTrained());
            assertThrows(IllegalStateException.class, () -> m.backward(new float[BATCH * LENGTH * VOCAB]));
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> m.forward(input,
                    new int[] {0, 1, 9, 0, 0, 0, 0, 0, 0, 0}, BATCH, INPUT, LENGTH, EncDecModel.Mode.EVAL, null,
                    null));
            assertEquals("tokens[2]: expected 0..4, got 9", bad.getMessage());
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> m.forward(
                    EncDecFixtures.tokens(BATCH * 8, 1), EncDecFixtures.tokens(BATCH * LENGTH, 2), BATCH, 8, LENGTH,
                    EncDecModel.Mode.EVAL, null, null));
            assertEquals("inputLength: expected 1..7 (the learned encoder positions), got 8", tooLong.getMessage());
        }
    }

    /** The weighted sum of the logits as the loss: every logit's gradient is checked. */
    private static void check(EncDecConfig c, long seed) {
        // Token top-k, sparsemax and entmax are piecewise smooth: a step can change a selection or a support on these
        // random weights, so their differences are taken at several steps.
        boolean piecewise = c.crossAttention().get(0).sparsity().kind() == Sparsity.Kind.TOKEN_TOPK
                || c.crossAttention().get(0).normalizer() != Normalizer.SOFTMAX || c.featureMask() > 0;
        try (EncDecModel m = EncDecFixtures.randomModel(c, seed)) {
            int[] input = EncDecFixtures.tokens(BATCH * INPUT * c.inputFields(), seed + 1);
            int[] tokens = EncDecFixtures.tokens(BATCH * LENGTH, seed + 2);
            float[] weights = GradCheck.gaussian(BATCH * LENGTH * VOCAB, 1, seed + 100);
            m.zeroGrad();
            float[] logits = m.forward(input, tokens, BATCH, INPUT, LENGTH, EncDecModel.Mode.TRAIN_NO_DROPOUT, null,
                    null);
            double scale = 0;
            for (int i = 0; i < weights.length; i++) {
                scale += Math.abs(weights[i] * logits[i]);
            }
            m.backward(weights);
            DoubleSupplier loss = () -> GradCheck.dot(m.forward(input, tokens, BATCH, INPUT, LENGTH,
                    EncDecModel.Mode.EVAL, null, null), weights, weights.length);
            for (Parameter p : m.parameters()) {
                String what = c.crossAttention().get(0).label() + " " + p.name();
                if (piecewise) {
                    PiecewiseGradCheck.check(what, p.value(), p.grad(), loss, scale, 2, 3e-2, seed * 31 + p.size());
                } else {
                    GradCheck.check(what, p.value(), p.grad(), loss, 2, 1e-2, 2e-2, seed * 31 + p.size());
                }
            }
        }
    }

    /** The output layer's own loss over labelled rows (one row unlabelled). */
    private static void checkLoss(EncDecConfig c, long seed) {
        try (EncDecModel m = EncDecFixtures.randomModel(c, seed)) {
            int[] input = EncDecFixtures.tokens(BATCH * INPUT, seed + 1);
            int[] tokens = EncDecFixtures.tokens(BATCH * LENGTH, seed + 2);
            int[] targets = EncDecFixtures.tokens(BATCH * LENGTH, seed + 3);
            targets[0] = CrossEntropy.IGNORE;
            int rows = BATCH * LENGTH;
            float[] dLogits = new float[rows * VOCAB];
            m.zeroGrad();
            float[] logits = m.forward(input, tokens, BATCH, INPUT, LENGTH, EncDecModel.Mode.TRAIN_NO_DROPOUT, null,
                    null);
            double scale = c.output().loss(logits, targets, rows, VOCAB, dLogits);
            m.backward(dLogits);
            DoubleSupplier loss = () -> c.output().loss(m.forward(input, tokens, BATCH, INPUT, LENGTH,
                    EncDecModel.Mode.EVAL, null, null), targets, rows, VOCAB, null);
            for (Parameter p : m.parameters()) {
                PiecewiseGradCheck.check(c.output() + " " + p.name(), p.value(), p.grad(), loss, scale, 2, 2e-2,
                        seed * 17 + p.size());
            }
        }
    }
}
