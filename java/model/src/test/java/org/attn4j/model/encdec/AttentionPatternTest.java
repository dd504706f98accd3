package org.attn4j.model.encdec;

import static org.attn4j.model.encdec.EncDecFixtures.BATCH;
import static org.attn4j.model.encdec.EncDecFixtures.INPUT;
import static org.attn4j.model.encdec.EncDecFixtures.LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attn4j.Normalizer;
import org.junit.jupiter.api.Test;

/** The attention a model's forward pass actually applies, read from its probabilities. */
class AttentionPatternTest {

    @Test
    void denseCrossAttentionSpreadsOverEveryEncoderPosition() {
        float[] p = probabilities(Sparsity.dense(), AttentionKind.CROSS);
        assertEquals(BATCH * 2 * LENGTH * INPUT, p.length);
        for (int row = 0; row < BATCH * 2 * LENGTH; row++) {
            double sum = 0;
            for (int j = 0; j < INPUT; j++) {
                assertTrue(p[row * INPUT + j] > 0);
                sum += p[row * INPUT + j];
            }
            assertEquals(1.0, sum, 1e-5);
        }
    }

    @Test
    void topOneCrossAttentionKeepsOneKeyPerRow() {
        float[] p = probabilities(Sparsity.tokenTopK(1), AttentionKind.CROSS);
        for (int row = 0; row < BATCH * 2 * LENGTH; row++) {
            int kept = 0;
            for (int j = 0; j < INPUT; j++) {
                kept += p[row * INPUT + j] > 0 ? 1 : 0;
            }
            assertEquals(1, kept, "row " + row);
        }
    }

    @Test
    void decoderSelfAttentionIsCausalAndTheEncoderIsNot() {
        float[] dec = probabilities(Sparsity.dense(), AttentionKind.DECODER);
        for (int row = 0; row < BATCH * 2 * LENGTH; row++) {
            int t = row % LENGTH;
            for (int j = 0; j < LENGTH; j++) {
                assertEquals(j <= t, dec[row * LENGTH + j] > 0, "row " + t + ", key " + j);
            }
        }
        float[] enc = probabilities(Sparsity.dense(), AttentionKind.ENCODER);
        for (float v : enc) {
            assertTrue(v > 0);
        }
    }

    @Test
    void probabilitiesNeedTheirMode() {
        try (EncDecModel m = EncDecFixtures.randomModel(EncDecFixtures.config(1, true), 1)) {
            m.forward(EncDecFixtures.tokens(BATCH * INPUT, 1), EncDecFixtures.tokens(BATCH * LENGTH, 2), BATCH,
                    INPUT, LENGTH, EncDecModel.Mode.EVAL, null, null);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> m.attentionProbabilities(AttentionKind.CROSS, 0));
            assertEquals("attentionProbabilities: run forward in EVAL_WITH_ATTENTION mode first", e.getMessage());
        }
    }

    private static float[] probabilities(Sparsity s, AttentionKind kind) {
        EncDecConfig c = EncDecFixtures.config(1, true).withAttention(new AttentionSpec(Normalizer.SOFTMAX, s));
        try (EncDecModel m = EncDecFixtures.randomModel(c, 3)) {
            m.forward(EncDecFixtures.tokens(BATCH * INPUT, 4), EncDecFixtures.tokens(BATCH * LENGTH, 5), BATCH, INPUT,
                    LENGTH, EncDecModel.Mode.EVAL_WITH_ATTENTION, null, null);
            return m.attentionProbabilities(kind, 0);
        }
    }
}
