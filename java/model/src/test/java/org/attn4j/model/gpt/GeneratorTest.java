package org.attn4j.model.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;
import org.junit.jupiter.api.Test;

/** The KV-cache decoder must produce what full forward passes over the growing sequence produce. */
class GeneratorTest {
    private static final int BATCH = 3;
    private static final int PROMPT = 5;
    private static final int NEW = 6;

    @Test
    void cachedDecodingEqualsFullForwardPasses() {
        GptConfig c = GptConfig.of(4, 12, 16, 2, 4).withAttention(LayerAttention.dense().withWindow(4, 1));
        try (GptModel m = randomModel(c, 1)) {
            int[] prompts = prompts(2);
            GenerationResult g = new Generator(m).generate(prompts, BATCH, PROMPT, NEW, GenerationOptions.asTrained());
            assertArrayEquals(greedyByFullForward(m, prompts), g.tokens());
            assertEquals(PROMPT + NEW, g.length());
        }
    }

    @Test
    void tokenTopKDecodingEqualsAFullForwardWithTheSameSelection() {
        // One layer: the cached keys and values depend only on the embeddings, so the prompt's attention pattern does
        // not matter and both paths must agree exactly.
        GptConfig dense = GptConfig.of(4, 12, 16, 1, 2);
        try (GptModel m = randomModel(dense, 3);
             GptModel topK = randomModel(dense.withAttention(LayerAttention.dense().withTokenTopK(2)), 3)) {
            int[] prompts = prompts(4);
            GenerationResult g = new Generator(m).generate(prompts, BATCH, PROMPT, NEW, GenerationOptions.topKTokens(2));
            assertArrayEquals(greedyByFullForward(topK, prompts), g.tokens());
        }
    }

    @Test
    void attendedPairsCountTheGeneratedQueries() {
        GptConfig c = GptConfig.of(4, 12, 16, 2, 2);
        try (GptModel m = randomModel(c, 5)) {
            int[] prompts = prompts(6);
            GenerationResult dense = new Generator(m).generate(prompts, BATCH, PROMPT, NEW,
                    GenerationOptions.asTrained());
            GenerationResult top1 = new Generator(m).generate(prompts, BATCH, PROMPT, NEW,
                    GenerationOptions.topKTokens(1));
            long causal = 0;
            for (int pos = PROMPT; pos < PROMPT + NEW - 1; pos++) {
                causal += (long) BATCH * c.heads() * c.layers() * (pos + 1);
            }
            assertEquals(causal, dense.attendedPairs());
            assertEquals(causal, dense.causalPairs());
            assertEquals((long) BATCH * c.heads() * c.layers() * (NEW - 1), top1.attendedPairs());
            assertEquals(1.0, dense.density(), 0);
        }
    }

    @Test
    void blockTopKKeepingEveryBlockEqualsDenseAndFewerBlocksAttendFewerPairs() {
        GptConfig c = GptConfig.of(4, 12, 16, 2, 2);
        try (GptModel m = randomModel(c, 7)) {
            int[] prompts = prompts(8);
            GenerationResult dense = new Generator(m).generate(prompts, BATCH, PROMPT, NEW,
                    GenerationOptions.asTrained());
            // 11 positions in blocks of 2: at most 6 blocks, so top-6 keeps them all.
            GenerationResult all = new Generator(m).generate(prompts, BATCH, PROMPT, NEW,
                    GenerationOptions.topKBlocks(6, 2));
            assertArrayEquals(dense.tokens(), all.tokens());
            GenerationResult one = new Generator(m).generate(prompts, BATCH, PROMPT, NEW,
                    GenerationOptions.topKBlocks(1, 2));
            assertEquals(PROMPT + NEW, one.length());
            // The query's own block and one more, of at most 2 keys each, per generated query, head and layer.
            assertTrue(one.attendedPairs() <= 4L * BATCH * c.heads() * c.layers() * (NEW - 1), one.attendedPairs()
                    + " pairs");
            assertTrue(one.attendedPairs() < dense.attendedPairs());
        }
    }

    @Test
    void everyProviderGeneratesTheSameTokensThroughItsOwnCacheAndDecodePath() {
        GptConfig c = GptConfig.of(4, 16, 16, 2, 2).withAttention(LayerAttention.of(org.attn4j.Normalizer.ENTMAX15)
                .withWindow(5, 1));
        try (GptModel m = randomModel(c, 11)) {
            int[] prompts = prompts(12);
            GenerationOptions sparse = GenerationOptions.topKBlocks(1, 2);
            GenerationResult cpu = new Generator(m).generate(prompts, BATCH, PROMPT, NEW, sparse);
            GenerationResult reference;
            String before = System.getProperty("attn4j.provider");
            System.setProperty("attn4j.provider", "reference");
            try {
                reference = new Generator(m).generate(prompts, BATCH, PROMPT, NEW, sparse);
            } finally {
                if (before == null) {
                    System.clearProperty("attn4j.provider");
                } else {
                    System.setProperty("attn4j.provider", before);
                }
            }
            assertEquals("cpu", cpu.provider());
            assertEquals("reference", reference.provider());
            assertArrayEquals(reference.tokens(), cpu.tokens());
            assertEquals(reference.attendedPairs(), cpu.attendedPairs());
            assertTrue(cpu.attendedPairs() < cpu.causalPairs());
            assertEquals(NEW - 1, cpu.decodeSteps());
            assertTrue(cpu.attentionSeconds() > 0 && cpu.attentionSeconds() <= cpu.decodeSeconds());
            assertTrue(cpu.tokensPerSecond() > 0);
        }
    }

    @Test
    void aLayerCannotTrainWithBlockTopKBecauseItsTileScoresSeeTheFuture() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GptConfig.of(4, 12, 16, 1, 2)
                .withAttention(LayerAttention.dense().withBlockTopK(org.attn4j.mask.BlockTopK.of(1, 1, 4))));
        assertTrue(e.getMessage().startsWith("attention[0].blockTopK: a GPT layer is causal"), e.getMessage());
    }

    @Test
    void rejectsBadGenerationArguments() {
        try (GptModel m = randomModel(GptConfig.of(4, 8, 8, 1, 1), 1)) {
            Generator g = new Generator(m);
            assertEquals("prompts: expected batch x promptLength = 10 tokens, got 5", assertThrows(
                    IllegalArgumentException.class, () -> g.generate(new int[5], 2, 5, 1,
                            GenerationOptions.asTrained())).getMessage());
            assertEquals("batch: expected >= 1, got -1", assertThrows(IllegalArgumentException.class,
                    () -> g.generate(new int[5], -1, 5, 1, GenerationOptions.asTrained())).getMessage());
            assertEquals("newTokens: prompt (5) + new tokens (2147483647) exceed the context length 8", assertThrows(
                    IllegalArgumentException.class, () -> g.generate(new int[5], 1, 5, Integer.MAX_VALUE,
                            GenerationOptions.asTrained())).getMessage());
        }
    }

    @Test
    void rejectsTooLongGenerations() {
        try (GptModel m = randomModel(GptConfig.of(4, 8, 8, 1, 1), 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Generator(m).generate(new int[5], 1, 5, 4, GenerationOptions.asTrained()));
            assertEquals("newTokens: prompt (5) + new tokens (4) exceed the context length 8", e.getMessage());
        }
    }

    private static int[] greedyByFullForward(GptModel m, int[] prompts) {
        int total = PROMPT + NEW;
        int vocab = m.config().vocabSize();
        int[] seq = new int[BATCH * total];
        for (int b = 0; b < BATCH; b++) {
            System.arraycopy(prompts, b * PROMPT, seq, b * total, PROMPT);
        }
        for (int len = PROMPT; len < total; len++) {
            int[] cur = new int[BATCH * len];
            for (int b = 0; b < BATCH; b++) {
                System.arraycopy(seq, b * total, cur, b * len, len);
            }
            float[] logits = m.forward(cur, BATCH, len, GptModel.Mode.EVAL);
            for (int b = 0; b < BATCH; b++) {
                seq[b * total + len] = CrossEntropy.argmax(logits, b * len + len - 1, vocab);
            }
        }
        return seq;
    }

    /** Weights large enough that the greedy choices depend on the context. */
    static GptModel randomModel(GptConfig c, long seed) {
        GptModel m = new GptModel(c, seed, Parallel.of(2));
        SplittableRandom r = new SplittableRandom(seed);
        for (Parameter p : m.parameters()) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (Parameter.gaussian(r) * 0.5);
            }
        }
        return m;
    }

    private static int[] prompts(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] p = new int[BATCH * PROMPT];
        Arrays.setAll(p, i -> r.nextInt(4));
        return p;
    }
}
