package org.attn4j.model.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.attn4j.model.nn.GradCheck;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;
import org.junit.jupiter.api.Test;

/**
 * The input-embedding path of {@link GptModel}: rows given as embeddings instead of tokens, the hidden states read
 * out, and {@link GptModel#backwardThroughInputs} seeded by logits and hidden-state gradients, against finite
 * differences; repeated backward passes of one forward add up like one pass of the summed seed.
 */
class InputEmbeddingGradientTest {
    private static final int BATCH = 2;
    private static final int LENGTH = 6;
    private static final int VOCAB = 5;
    private static final int D = 8;

    private static GptModel model(long seed) {
        GptModel m = new GptModel(GptConfig.of(VOCAB, 8, D, 2, 2).withMlpHidden(12), seed, Parallel.of(2));
        SplittableRandom r = new SplittableRandom(seed + 1000);
        for (Parameter p : m.parameters()) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (Parameter.gaussian(r) * 0.4); // a well-conditioned check needs larger weights
            }
        }
        return m;
    }

    /** Rows 2 and 4 of each sequence are embeddings; the others tokens. */
    private static int[] tokens() {
        int[] t = new int[BATCH * LENGTH];
        for (int i = 0; i < t.length; i++) {
            t[i] = i % LENGTH == 2 || i % LENGTH == 4 ? GptModel.INPUT_EMBEDDING : (i * 3 + 1) % VOCAB;
        }
        return t;
    }

    @Test
    void inputsParametersAndHiddenSeedMatchFiniteDifferences() {
        try (GptModel m = model(3)) {
            int[] tokens = tokens();
            int rows = BATCH * LENGTH;
            float[] embeddings = GradCheck.gaussian(rows * D, 1, 7);
            float[] wLogits = GradCheck.gaussian(rows * VOCAB, 1, 8);
            float[] wHidden = GradCheck.gaussian(rows * D, 1, 9);
            m.zeroGrad();
            m.forward(tokens, embeddings, BATCH, LENGTH, GptModel.Mode.TRAIN_NO_DROPOUT);
            float[] inputGrad = m.backwardThroughInputs(wLogits, wHidden).clone();
            // loss = <wLogits, logits> + <wHidden, hidden states>
            DoubleSupplier loss = () -> {
                float[] logits = m.forward(tokens, embeddings, BATCH, LENGTH, GptModel.Mode.EVAL);
                return GradCheck.dot(logits, wLogits, rows * VOCAB) + GradCheck.dot(m.hiddenStates(), wHidden,
                        rows * D);
            };
            // Only the embedded rows are read from `embeddings`: check the gradient on those rows.
            float[] masked = inputGrad.clone();
            for (int r = 0; r < rows; r++) {
                if (tokens[r] != GptModel.INPUT_EMBEDDING) {
                    java.util.Arrays.fill(masked, r * D, (r + 1) * D, 0f);
                }
            }
            float[] onlyEmbedded = embeddings.clone();
            DoubleSupplier lossOnEmbedded = () -> {
                System.arraycopy(onlyEmbedded, 0, embeddings, 0, embeddings.length);
                return loss.getAsDouble();
            };
            GradCheck.check("input embeddings", onlyEmbedded, masked, lossOnEmbedded, 3, 1e-2, 2e-2, 11);
            System.arraycopy(onlyEmbedded, 0, embeddings, 0, embeddings.length);
            for (Parameter p : m.parameters()) {
                GradCheck.check(p.name(), p.value(), p.grad(), loss, 2, 1e-2, 2e-2, 13 + p.size());
            }
        }
    }

    @Test
    void repeatedBackwardPassesAddUpLikeOneOfTheSummedSeed() {
        try (GptModel a = model(5); GptModel b = model(5)) {
            int[] tokens = tokens();
            int rows = BATCH * LENGTH;
            float[] embeddings = GradCheck.gaussian(rows * D, 1, 17);
            float[] s1 = GradCheck.gaussian(rows * D, 1, 18);
            float[] s2 = GradCheck.gaussian(rows * D, 1, 19);
            float[] logitSeed = GradCheck.gaussian(rows * VOCAB, 1, 20);
            a.zeroGrad();
            a.forward(tokens, embeddings, BATCH, LENGTH, GptModel.Mode.TRAIN);
            float[] g1 = a.backwardThroughInputs(logitSeed, s1).clone();
            float[] g2 = a.backwardThroughInputs(null, s2).clone();
            float[] sum = new float[rows * D];
            for (int i = 0; i < sum.length; i++) {
                sum[i] = s1[i] + s2[i];
            }
            b.zeroGrad();
            b.forward(tokens, embeddings, BATCH, LENGTH, GptModel.Mode.TRAIN);
            float[] g = b.backwardThroughInputs(logitSeed, sum);
            for (int i = 0; i < g.length; i++) {
                assertEquals(g[i], g1[i] + g2[i], 1e-4 * (1 + Math.abs(g[i])), "input gradient " + i);
            }
            for (int p = 0; p < a.parameters().size(); p++) {
                float[] ga = a.parameters().get(p).grad();
                float[] gb = b.parameters().get(p).grad();
                for (int i = 0; i < ga.length; i++) {
                    assertEquals(gb[i], ga[i], 1e-4 * (1 + Math.abs(gb[i])), a.parameters().get(p).name() + "[" + i
                            + "]");
                }
            }
        }
    }

    @Test
    void tokenRowsGiveWhatTheTokenForwardGives() {
        try (GptModel m = model(9)) {
            int[] tokens = new int[BATCH * LENGTH];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = (i * 7 + 2) % VOCAB;
            }
            float[] plain = m.forward(tokens, BATCH, LENGTH, GptModel.Mode.EVAL).clone();
            // The same tokens as embeddings: the token-embedding rows themselves.
            int[] embedded = new int[tokens.length];
            float[] rows = new float[tokens.length * D];
            float[] wte = m.tokenEmbedding().value();
            for (int i = 0; i < tokens.length; i++) {
                embedded[i] = GptModel.INPUT_EMBEDDING;
                System.arraycopy(wte, tokens[i] * D, rows, i * D, D);
            }
            float[] viaEmbeddings = m.forward(embedded, rows, BATCH, LENGTH, GptModel.Mode.EVAL);
            assertArrayEquals(plain, viaEmbeddings, 1e-6f);
            float[] h = m.hiddenStates();
            assertEquals(BATCH * LENGTH * D, h.length);
        }
    }

    @Test
    void badInputsNameTheirField() {
        try (GptModel m = model(1)) {
            int[] tokens = tokens();
            IllegalArgumentException noRows = assertThrows(IllegalArgumentException.class,
                    () -> m.forward(tokens, new float[3], BATCH, LENGTH, GptModel.Mode.EVAL));
            assertTrue(noRows.getMessage().startsWith("embeddings: expected 96 values"), noRows.getMessage());
            IllegalArgumentException noEmbeddings = assertThrows(IllegalArgumentException.class,
                    () -> m.forward(tokens, BATCH, LENGTH, GptModel.Mode.EVAL));
            assertEquals("tokens[2]: expected 0..4, got -1", noEmbeddings.getMessage());
            m.forward(tokens, new float[BATCH * LENGTH * D], BATCH, LENGTH, GptModel.Mode.TRAIN);
            IllegalArgumentException shortSeed = assertThrows(IllegalArgumentException.class,
                    () -> m.backwardThroughInputs(null, new float[5]));
            assertEquals("dHidden: expected 96 values, got 5", shortSeed.getMessage());
            m.backward(new float[BATCH * LENGTH * VOCAB]);
            assertThrows(IllegalStateException.class, () -> m.backwardThroughInputs(null, null),
                    "a plain backward pass releases the forward pass");
        }
    }
}
