package org.attn4j.model.encdec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attn4j.Normalizer;
import org.attn4j.model.nn.CrossEntropy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Generation with the two KV caches and per-step masks must produce what the full teacher-forced pass over the
 * generated sequence predicts at every position (a row of the full pass sees only the tokens before it, so it is the
 * greedy step), for every sparsity pattern, the feature mask and sparsemax attention.
 */
class EncDecGeneratorTest {
    private static final int BATCH = 3;
    private static final int INPUT = 9;
    private static final int PROMPT = 2;
    private static final int NEW = 8;

    private static EncDecConfig config() {
        return EncDecConfig.of(EncDecFixtures.VOCAB, 1, true, INPUT, PROMPT + NEW, 16, 2, 2, 2).withMlpHidden(24);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dense", "window:2,1", "tokentopk:2", "tokentopk:0.4", "blocktopk:2,3", "blockmask:0.5,3"})
    void cachedStepsEqualTheFullPass(String pattern) {
        checkAgainstFullPass(config().withAttention(new AttentionSpec(Normalizer.SOFTMAX, Sparsity.parse(pattern))),
                DecodeAttention.asTrained(), pattern.hashCode());
    }

    @Test
    void featureMaskAndSparsemax() {
        checkAgainstFullPass(config().withFeatureMask(0.5).withAttention(new AttentionSpec(Normalizer.SPARSEMAX,
                Sparsity.dense())).withOutput(OutputLayer.SPARSEMAX), DecodeAttention.asTrained(), 11);
    }

    @Test
    void decodeAttentionReplacesTheTrainedOne() {
        // A dense model reasoning through top-2 tokens equals a model trained with top-2 (same weights).
        EncDecConfig dense = config();
        try (EncDecModel m = EncDecFixtures.randomModel(dense, 21);
             EncDecModel topK = EncDecFixtures.randomModel(dense.withAttention(new AttentionSpec(Normalizer.SOFTMAX,
                     Sparsity.tokenTopK(2))), 21)) {
            int[] input = EncDecFixtures.tokens(BATCH * INPUT, 22);
            int[] prompts = EncDecFixtures.tokens(BATCH * PROMPT, 23);
            Generation a = new EncDecGenerator(m).generate(input, BATCH, INPUT, prompts, PROMPT, NEW,
                    DecodeAttention.everywhere(Sparsity.tokenTopK(2)));
            Generation b = new EncDecGenerator(topK).generate(input, BATCH, INPUT, prompts, PROMPT, NEW,
                    DecodeAttention.asTrained());
            assertEquals(java.util.Arrays.toString(b.tokens()), java.util.Arrays.toString(a.tokens()));
            assertEquals(b.pairs().attended(), a.pairs().attended());
        }
    }

    @Test
    void attendedPairsCountEveryKind() {
        try (EncDecModel m = EncDecFixtures.randomModel(config(), 31)) {
            int[] input = EncDecFixtures.tokens(BATCH * INPUT, 32);
            int[] prompts = EncDecFixtures.tokens(BATCH * PROMPT, 33);
            Generation dense = new EncDecGenerator(m).generate(input, BATCH, INPUT, prompts, PROMPT, NEW,
                    DecodeAttention.asTrained());
            int layers = 2;
            int heads = 2;
            int steps = PROMPT + NEW - 1;
            assertEquals((long) BATCH * heads * layers * INPUT * INPUT, dense.pairs().dense(AttentionKind.ENCODER));
            assertEquals((long) BATCH * heads * layers * steps * INPUT, dense.pairs().dense(AttentionKind.CROSS));
            assertEquals((long) BATCH * heads * layers * steps * (steps + 1) / 2,
                    dense.pairs().dense(AttentionKind.DECODER));
            assertEquals(1.0, dense.pairs().fraction(), 0);
            Generation top1 = new EncDecGenerator(m).generate(input, BATCH, INPUT, prompts, PROMPT, NEW,
                    DecodeAttention.everywhere(Sparsity.tokenTopK(1)));
            assertEquals((long) BATCH * heads * layers * steps, top1.pairs().attended(AttentionKind.CROSS));
            assertEquals((long) BATCH * heads * layers * INPUT, top1.pairs().attended(AttentionKind.ENCODER));
            assertTrue(top1.pairs().fraction() < 0.2, "top-1 fraction " + top1.pairs().fraction());
        }
    }

    @Test
    void badArguments() {
        try (EncDecModel m = EncDecFixtures.randomModel(config(), 41)) {
            EncDecGenerator g = new EncDecGenerator(m);
            int[] input = EncDecFixtures.tokens(BATCH * INPUT, 42);
            int[] prompts = EncDecFixtures.tokens(BATCH * PROMPT, 43);
            IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                    () -> g.generate(input, BATCH, INPUT, prompts, PROMPT, NEW + 2, DecodeAttention.asTrained()));
            assertTrue(tooMany.getMessage().startsWith("newTokens: "), tooMany.getMessage());
            IllegalArgumentException badPrompt = assertThrows(IllegalArgumentException.class,
                    () -> g.generate(input, BATCH, INPUT, new int[3], PROMPT, NEW, DecodeAttention.asTrained()));
            assertTrue(badPrompt.getMessage().startsWith("prompts: "), badPrompt.getMessage());
            IllegalArgumentException badInput = assertThrows(IllegalArgumentException.class,
                    () -> g.generate(new int[BATCH * INPUT - 1], BATCH, INPUT, prompts, PROMPT, NEW,
                            DecodeAttention.asTrained()));
            assertTrue(badInput.getMessage().startsWith("input: "), badInput.getMessage());
        }
    }

    private static void checkAgainstFullPass(EncDecConfig c, DecodeAttention attention, long seed) {
        try (EncDecModel m = EncDecFixtures.randomModel(c, seed)) {
            int[] input = EncDecFixtures.tokens(BATCH * INPUT, seed + 1);
            int[] prompts = EncDecFixtures.tokens(BATCH * PROMPT, seed + 2);
            Generation g = new EncDecGenerator(m).generate(input, BATCH, INPUT, prompts, PROMPT, NEW, attention);
            int length = PROMPT + NEW - 1;
            int[] tokens = new int[BATCH * length];
            for (int b = 0; b < BATCH; b++) {
                for (int t = 0; t < length; t++) {
                    tokens[b * length + t] = g.token(b, t);
                }
            }
            PairCounts full = new PairCounts();
            float[] logits = m.forward(input, tokens, BATCH, INPUT, length, EncDecModel.Mode.EVAL, attention, full);
            int vocab = c.vocabSize();
            for (int b = 0; b < BATCH; b++) {
                for (int t = PROMPT - 1; t < length; t++) {
                    assertEquals(CrossEntropy.argmax(logits, b * length + t, vocab), g.token(b, t + 1),
                            c.crossAttention().get(0).label() + ": problem " + b + ", position " + t);
                }
            }
            // The same keys were kept: the steps attend exactly the pairs of the full pass.
            for (AttentionKind kind : AttentionKind.values()) {
                assertEquals(full.attended(kind), g.pairs().attended(kind), kind.label());
            }
        }
    }
}
