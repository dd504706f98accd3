package org.attn4j.model.encdec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.attn4j.Normalizer;
import org.attn4j.model.nn.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safetensors checkpoints of the encoder-decoder give back the same model. */
class EncDecCheckpointTest {

    @Test
    void roundTripGivesIdenticalLogits(@TempDir Path dir) throws Exception {
        EncDecConfig c = EncDecFixtures.config(2, false).withFeatureMask(0.25).withOutput(OutputLayer.SPARSEMAX)
                .withAttention(AttentionKind.CROSS, new AttentionSpec(Normalizer.ENTMAX15, Sparsity.blockTopK(2, 2)))
                .withAttention(AttentionKind.ENCODER, new AttentionSpec(Normalizer.SOFTMAX, Sparsity.blockMask(0.5, 2)))
                .withMaskSeed(9);
        int[] input = EncDecFixtures.tokens(2 * 7 * 2, 1);
        int[] tokens = EncDecFixtures.tokens(2 * 5, 2);
        try (EncDecModel m = EncDecFixtures.randomModel(c, 3)) {
            float[] before = m.forward(input, tokens, 2, 7, 5, EncDecModel.Mode.EVAL, null, null).clone();
            EncDecCheckpoint.save(dir, m, Map.of("task", "pointer", "cells", 7));
            EncDecCheckpoint.Loaded loaded = EncDecCheckpoint.load(dir, Parallel.serial());
            try (EncDecModel back = loaded.model()) {
                assertEquals(c, back.config());
                assertArrayEquals(before, back.forward(input, tokens, 2, 7, 5, EncDecModel.Mode.EVAL, null, null));
                assertEquals("pointer", loaded.task().path("task").asText());
                assertEquals(7, loaded.task().path("cells").asInt());
            }
        }
    }

    @Test
    void refusesAnotherModelsDirectory(@TempDir Path dir) throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> EncDecCheckpoint.load(dir, Parallel.serial()));
        assertTrue(missing.getMessage().endsWith("not found (a model directory holds config.json and"
                + " model.safetensors)"), missing.getMessage());
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> EncDecCheckpoint.load(dir, Parallel.serial()));
        assertTrue(other.getMessage().endsWith("model_type is 'gpt2', expected 'attn4j-encdec'"), other.getMessage());
    }
}
