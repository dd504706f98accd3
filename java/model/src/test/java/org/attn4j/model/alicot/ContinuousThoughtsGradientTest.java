package org.attn4j.model.alicot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.GradCheck;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Backpropagation through continuous thoughts: the gradient of the loss of the unrolled computation (each thought the
 * previous row's final hidden state, fed back as the next input) with respect to every parameter, against finite
 * differences of that loss; and the part that flows through the fed-back thoughts is large, so a backward pass that
 * stopped at the thoughts would fail the check.
 */
class ContinuousThoughtsGradientTest {
    private static final DagTask TASK = DagTask.draw(new DagShape(4, 2, 2), 3);

    private static List<BoolDag> batch(int n, long seed) {
        BoolDagGenerator g = new BoolDagGenerator(TASK, seed);
        List<BoolDag> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(g.next());
        }
        return out;
    }

    private static GptModel model(DagVocabulary v, ReasoningLayout layout, long seed) {
        GptModel m = new GptModel(GptConfig.of(v.size(), layout.length(), 8, 2, 2).withMlpHidden(12), seed,
                Parallel.of(2));
        SplittableRandom r = new SplittableRandom(seed + 1000);
        for (Parameter p : m.parameters()) {
            float[] x = p.value();
            for (int i = 0; i < x.length; i++) {
                x[i] += (float) (Parameter.gaussian(r) * 0.3); // GPT-2's tiny initial weights make tiny gradients
            }
        }
        return m;
    }

    @ParameterizedTest
    @EnumSource(value = AlicotMode.class, names = {"LATENT", "ALIGNED"})
    void everyParameterMatchesFiniteDifferencesOfTheUnrolledLoss(AlicotMode mode) {
        DagVocabulary v = new DagVocabulary(TASK, mode == AlicotMode.ALIGNED ? 2 : 1);
        ReasoningLayout layout = ReasoningLayout.of(mode, v, mode == AlicotMode.ALIGNED ? v.latents() : 3);
        List<BoolDag> batch = batch(3, 1);
        try (GptModel m = model(v, layout, 2)) {
            AlicotTrainer t = new AlicotTrainer(m, v, layout, 1e-3, 0, 0, 10);
            double loss = t.lossAndGradients(batch);
            assertEquals(t.loss(batch), loss, 1e-5, "the training loss is the loss of the unrolled computation");
            DoubleSupplier f = () -> t.loss(batch);
            for (Parameter p : m.parameters()) {
                GradCheck.check(mode.label() + " " + p.name(), p.value(), p.grad(), f, 2, 1e-2, 3e-2,
                        17 + p.size());
            }
        }
    }

    @Test
    void muchOfTheGradientFlowsThroughTheThoughts() {
        DagVocabulary v = new DagVocabulary(TASK, 1);
        ReasoningLayout layout = ReasoningLayout.of(AlicotMode.LATENT, v, 3);
        List<BoolDag> batch = batch(3, 5);
        try (GptModel m = model(v, layout, 4)) {
            new AlicotTrainer(m, v, layout, 1e-3, 0, 0, 10).lossAndGradients(batch);
            double[] full = flatGradient(m);
            // The same loss, backpropagated as if the thoughts were constant inputs.
            int len = layout.length();
            int[] tokens = new int[3 * len];
            int[] targets = new int[3 * len];
            java.util.Arrays.fill(targets, CrossEntropy.IGNORE);
            for (int b = 0; b < 3; b++) {
                v.prompt(batch.get(b), tokens, b * len);
                for (int j = 0; j < layout.latents(); j++) {
                    tokens[b * len + layout.promptLength() + j] = GptModel.INPUT_EMBEDDING;
                }
                targets[b * len + layout.answerRow()] = batch.get(b).answer();
            }
            m.zeroGrad();
            float[] logits = ContinuousThoughts.forward(m, tokens, new float[3 * len * 8], 3, layout,
                    GptModel.Mode.TRAIN);
            float[] dLogits = new float[logits.length];
            CrossEntropy.lossAndGradient(logits, targets, 3 * len, v.size(), dLogits);
            m.backward(dLogits);
            double[] truncated = flatGradient(m);
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < full.length; i++) {
                diff += (full[i] - truncated[i]) * (full[i] - truncated[i]);
                norm += full[i] * full[i];
            }
            assertTrue(Math.sqrt(diff / norm) > 0.1, "the thoughts' share of the gradient: " + Math.sqrt(diff / norm));
        }
    }

    @Test
    void thoughtsAreTheHiddenStatesOfTheFinalPass() {
        DagVocabulary v = new DagVocabulary(TASK, 1);
        ReasoningLayout layout = ReasoningLayout.of(AlicotMode.LATENT, v, 3);
        List<BoolDag> batch = batch(2, 9);
        try (GptModel m = model(v, layout, 6)) {
            int len = layout.length();
            int[] tokens = new int[2 * len];
            for (int b = 0; b < 2; b++) {
                v.prompt(batch.get(b), tokens, b * len);
                for (int j = 0; j < layout.latents(); j++) {
                    tokens[b * len + layout.promptLength() + j] = GptModel.INPUT_EMBEDDING;
                }
            }
            float[] thoughts = new float[2 * len * 8];
            ContinuousThoughts.forward(m, tokens, thoughts, 2, layout, GptModel.Mode.EVAL);
            float[] h = m.hiddenStates();
            for (int b = 0; b < 2; b++) {
                for (int j = 0; j < layout.latents(); j++) {
                    for (int c = 0; c < 8; c++) {
                        assertEquals(h[(b * len + layout.reasoningRow(j)) * 8 + c],
                                thoughts[(b * len + layout.promptLength() + j) * 8 + c], 1e-5,
                                "thought " + j + " of sequence " + b);
                    }
                }
            }
        }
    }

    @Test
    void dropoutIsRefusedForContinuousThoughts() {
        DagVocabulary v = new DagVocabulary(TASK, 1);
        ReasoningLayout layout = ReasoningLayout.of(AlicotMode.LATENT, v, 2);
        try (GptModel m = new GptModel(GptConfig.of(v.size(), layout.length(), 8, 1, 2).withDropout(0.1f), 1,
                Parallel.serial())) {
            AlicotTrainer t = new AlicotTrainer(m, v, layout, 1e-3, 0, 0, 10);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.step(batch(2, 1)));
            assertTrue(e.getMessage().startsWith("dropout: continuous thoughts need dropout 0"), e.getMessage());
        }
    }

    private static double[] flatGradient(GptModel m) {
        int n = 0;
        for (Parameter p : m.parameters()) {
            n += p.size();
        }
        double[] out = new double[n];
        int o = 0;
        for (Parameter p : m.parameters()) {
            for (float g : p.grad()) {
                out[o++] = g;
            }
        }
        return out;
    }
}
