package org.attn4j.model.alicot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.Parallel;
import org.junit.jupiter.api.Test;

/**
 * What each mode is trained to predict: the aligned latents' output distributions carry the chunk states (the
 * alignment loss), the unaligned ones nothing, the explicit chain its tokens; and the loss is the mean cross-entropy
 * over exactly those rows.
 */
class AlignmentLossTest {
    private static final DagTask TASK = DagTask.draw(new DagShape(6, 3, 2), 2);

    private static List<BoolDag> batch(int n) {
        BoolDagGenerator g = new BoolDagGenerator(TASK, 3);
        List<BoolDag> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(g.next());
        }
        return out;
    }

    private static AlicotTrainer trainer(DagVocabulary v, ReasoningLayout layout, GptModel m) {
        return new AlicotTrainer(m, v, layout, 1e-3, 0, 1, 10);
    }

    @Test
    void alignedThoughtsAreLabelledWithTheirChunkStatesAndTheLastRowWithTheAnswer() {
        for (int ratio : new int[] {1, 2, 4}) {
            DagVocabulary v = new DagVocabulary(TASK, ratio);
            ReasoningLayout layout = ReasoningLayout.of(AlicotMode.ALIGNED, v, v.latents());
            try (GptModel m = new GptModel(GptConfig.of(v.size(), layout.length(), 8, 1, 2), 1, Parallel.serial())) {
                List<BoolDag> batch = batch(4);
                AlicotTrainer.Sequences s = trainer(v, layout, m).sequences(batch);
                int len = layout.length();
                for (int b = 0; b < 4; b++) {
                    int labelled = 0;
                    for (int row = 0; row < len; row++) {
                        int t = s.targets()[b * len + row];
                        int j = row - layout.reasoningRow(0);
                        if (row == layout.answerRow()) {
                            assertEquals(batch.get(b).answer(), t);
                        } else if (j >= 0 && j < layout.latents()) {
                            assertEquals(v.stateToken(batch.get(b), j), t, "ratio " + ratio + ", thought " + j);
                        } else {
                            assertEquals(CrossEntropy.IGNORE, t, "row " + row);
                        }
                        labelled += t == CrossEntropy.IGNORE ? 0 : 1;
                        boolean latentRow = row >= layout.promptLength();
                        assertEquals(latentRow, s.tokens()[b * len + row] == GptModel.INPUT_EMBEDDING);
                    }
                    assertEquals(layout.latents() + 1, labelled);
                }
            }
        }
    }

    @Test
    void unalignedThoughtsLearnThroughTheAnswerAlone() {
        DagVocabulary v = new DagVocabulary(TASK, 1);
        ReasoningLayout layout = ReasoningLayout.of(AlicotMode.LATENT, v, 3);
        try (GptModel m = new GptModel(GptConfig.of(v.size(), layout.length(), 8, 1, 2), 1, Parallel.serial())) {
            List<BoolDag> batch = batch(4);
            AlicotTrainer.Sequences s = trainer(v, layout, m).sequences(batch);
            for (int b = 0; b < 4; b++) {
                for (int row = 0; row < layout.length(); row++) {
                    int t = s.targets()[b * layout.length() + row];
                    assertEquals(row == layout.answerRow() ? batch.get(b).answer() : CrossEntropy.IGNORE, t);
                }
            }
        }
    }

    @Test
    void theExplicitChainIsTeacherForced() {
        DagVocabulary v = new DagVocabulary(TASK, 1);
        ReasoningLayout layout = ReasoningLayout.of(AlicotMode.EXPLICIT, v, 0);
        try (GptModel m = new GptModel(GptConfig.of(v.size(), layout.length(), 8, 1, 2), 1, Parallel.serial())) {
            List<BoolDag> batch = batch(2);
            AlicotTrainer.Sequences s = trainer(v, layout, m).sequences(batch);
            int len = layout.length();
            for (int b = 0; b < 2; b++) {
                int[] chain = v.chain(batch.get(b));
                for (int j = 0; j < chain.length; j++) {
                    assertEquals(chain[j], s.tokens()[b * len + layout.promptLength() + j]);
                    assertEquals(chain[j], s.targets()[b * len + layout.reasoningRow(j)]);
                }
                assertEquals(batch.get(b).answer(), s.targets()[b * len + len - 1]);
            }
        }
    }

    @Test
    void theAlignmentLossIsTheCrossEntropyOfEachThoughtsDistributionWithItsState() {
        DagVocabulary v = new DagVocabulary(TASK, 2);
        ReasoningLayout layout = ReasoningLayout.of(AlicotMode.ALIGNED, v, v.latents());
        try (GptModel m = new GptModel(GptConfig.of(v.size(), layout.length(), 16, 1, 2), 4, Parallel.serial())) {
            List<BoolDag> batch = batch(3);
            AlicotTrainer t = trainer(v, layout, m);
            double loss = t.loss(batch);
            // Recompute from the unrolled logits: -log softmax at every thought's state and at the answer.
            AlicotTrainer.Sequences s = t.sequences(batch);
            float[] logits = ContinuousThoughts.forward(m, s.tokens(), s.embeddings(), 3, layout,
                    GptModel.Mode.EVAL);
            int vocab = v.size();
            double sum = 0;
            int n = 0;
            for (int b = 0; b < 3; b++) {
                for (int j = 0; j <= layout.latents(); j++) {
                    int row = b * layout.length() + layout.reasoningRow(j);
                    int target = j < layout.latents() ? v.stateToken(batch.get(b), j) : batch.get(b).answer();
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < vocab; k++) {
                        max = Math.max(max, logits[row * vocab + k]);
                    }
                    double z = 0;
                    for (int k = 0; k < vocab; k++) {
                        z += Math.exp(logits[row * vocab + k] - max);
                    }
                    sum += Math.log(z) + max - logits[row * vocab + target];
                    n++;
                }
            }
            assertEquals(sum / n, loss, 1e-5);
            assertTrue(loss > 0);
        }
    }
}
