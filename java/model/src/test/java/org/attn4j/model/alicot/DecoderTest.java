package org.attn4j.model.alicot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.Parallel;
import org.junit.jupiter.api.Test;

/**
 * Inference with the KV cache computes what the full forward pass computes: the same thoughts and logits for the
 * latent modes, the same greedy chain for the explicit one; decode steps are the passes a mode needs.
 */
class DecoderTest {
    private static final DagTask TASK = DagTask.draw(new DagShape(6, 3, 2), 5);

    private static List<BoolDag> problems(int n) {
        BoolDagGenerator g = new BoolDagGenerator(TASK, 6);
        List<BoolDag> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(g.next());
        }
        return out;
    }

    private static GptModel model(DagVocabulary v, ReasoningLayout layout) {
        return new GptModel(GptConfig.of(v.size(), layout.length(), 16, 2, 2), 7, Parallel.of(2));
    }

    @Test
    void cachedThoughtsAndAnswerLogitsEqualTheUnrolledForwardPass() {
        DagVocabulary v = new DagVocabulary(TASK, 2);
        ReasoningLayout layout = ReasoningLayout.of(AlicotMode.ALIGNED, v, v.latents());
        List<BoolDag> problems = problems(5);
        try (GptModel m = model(v, layout)) {
            AlicotTrainer.Sequences s = new AlicotTrainer(m, v, layout, 1e-3, 0, 1, 1).sequences(problems);
            float[] logits = ContinuousThoughts.forward(m, s.tokens(), s.embeddings(), 5, layout, GptModel.Mode.EVAL)
                    .clone();
            float[] hidden = m.hiddenStates().clone();
            Decoding d = Decoding.run(m, v, layout, problems, 2, true);
            int len = layout.length();
            int vocab = v.size();
            for (int b = 0; b < 5; b++) {
                for (int j = 0; j < layout.latents(); j++) {
                    int row = b * len + layout.reasoningRow(j);
                    for (int c = 0; c < 16; c++) {
                        assertEquals(hidden[row * 16 + c], d.states()[j][b * 16 + c], 1e-4, "thought " + j);
                    }
                    assertEquals(CrossEntropy.argmax(logits, row, vocab), d.predictions()[b][j]);
                }
                assertEquals(CrossEntropy.argmax(logits, b * len + layout.answerRow(), vocab), d.answers()[b]);
            }
        }
    }

    @Test
    void greedyExplicitDecodingFeedsBackItsOwnTokens() {
        DagVocabulary v = new DagVocabulary(TASK, 1);
        ReasoningLayout layout = ReasoningLayout.of(AlicotMode.EXPLICIT, v, 0);
        List<BoolDag> problems = problems(4);
        try (GptModel m = model(v, layout)) {
            Decoding d = Decoding.run(m, v, layout, problems, 3, false);
            int len = layout.length();
            int p = layout.promptLength();
            for (int b = 0; b < 4; b++) {
                // The sequence the decoder produced, run through the full forward pass, predicts the same tokens.
                int[] seq = new int[len];
                v.prompt(problems.get(b), seq, 0);
                for (int j = 0; j < layout.steps(); j++) {
                    seq[p + j] = d.predictions()[b][j];
                }
                float[] logits = m.forward(seq, 1, len, GptModel.Mode.EVAL);
                for (int j = 0; j < layout.steps(); j++) {
                    assertEquals(CrossEntropy.argmax(logits, layout.reasoningRow(j), v.size()), d.predictions()[b][j]);
                }
                assertEquals(CrossEntropy.argmax(logits, len - 1, v.size()), d.answers()[b]);
            }
        }
    }

    @Test
    void decodeStepsArePromptPassPlusOnePerPositionAfterIt() {
        DagVocabulary v = new DagVocabulary(TASK, 1);
        assertEquals(1, ReasoningLayout.of(AlicotMode.NONE, v, 0).decodeSteps());
        assertEquals(1 + v.steps(), ReasoningLayout.of(AlicotMode.EXPLICIT, v, 0).decodeSteps());
        assertEquals(1 + 3, ReasoningLayout.of(AlicotMode.LATENT, v, 3).decodeSteps());
        DagVocabulary four = new DagVocabulary(TASK, 4);
        assertEquals(1 + (v.steps() + 3) / 4, ReasoningLayout.of(AlicotMode.ALIGNED, four, four.latents())
                .decodeSteps());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ReasoningLayout.of(AlicotMode.LATENT, v, 0)).getMessage().startsWith("latents: expected >= 1"));
    }

    @Test
    void timingCountsEveryProblem() {
        DagVocabulary v = new DagVocabulary(TASK, 1);
        ReasoningLayout layout = ReasoningLayout.of(AlicotMode.LATENT, v, 2);
        try (GptModel m = model(v, layout)) {
            DecodeTiming t = DecodeTiming.measure(m, v, layout, problems(8), 5);
            assertEquals(5, t.problems());
            assertTrue(t.medianMs() > 0 && t.promptMs() > 0 && t.promptMs() <= t.meanMs() * 5);
        }
    }
}
