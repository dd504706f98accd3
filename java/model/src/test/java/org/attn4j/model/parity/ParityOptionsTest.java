package org.attn4j.model.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.attn4j.Normalizer;
import org.attn4j.model.nn.Precision;
import org.junit.jupiter.api.Test;

/** The paper preset, the decay horizon, the threshold and the new settings' validation. */
class ParityOptionsTest {
    @Test
    void paperPresetHasThePapersSettings() {
        ParityOptions o = new ParityOptions().n(100).k(20).cot(true).seed(2).paper().validate();
        assertEquals(512, o.batch());
        assertEquals(1e-4, o.effectiveLr());
        assertEquals(0.0, o.weightDecay());
        assertEquals(1.0, o.clipNorm());
        assertEquals(10_000_000L, o.effectiveLrDecaySamples());
        assertEquals(0.1f, o.dropout());
        assertEquals(0.1f, o.attentionDropout());
        assertEquals(Precision.BF16, o.precision());
        assertEquals(2048, o.evalEvery());
        assertEquals(2048, o.evalSize());
        assertEquals(0L, o.effectiveSecretSeed(), "one fixed secret per (n, k)");
        assertEquals(64, o.dim(), "the model's size is not part of the preset");
        assertEquals(1.0, o.threshold(), "the reference code stops at exact match 1.0");
        Map<String, Object> s = o.settings();
        assertEquals("bf16", s.get("precision"));
        assertEquals(10_000_000L, s.get("lr_decay_samples"));
        assertEquals(0.1, (double) s.get("attention_dropout"), 1e-6);
        assertEquals(0L, s.get("secret_seed"));
    }

    @Test
    void laterSettersOverrideThePreset() {
        ParityOptions o = new ParityOptions().paper().lr(6e-5).precision(Precision.FP32).batch(64).validate();
        assertEquals(6e-5, o.effectiveLr());
        assertEquals(Precision.FP32, o.precision());
        assertEquals(64, o.batch());
        assertEquals(0.1f, o.attentionDropout());
        assertEquals(o.attentionDropout(), o.copy().attentionDropout(), "copy keeps the new settings");
        assertEquals(o.settings(), o.copy().settings());
    }

    @Test
    void theSecretIsSharedAcrossSeedsWhenItsSeedIsFixed() {
        ParityOptions a = new ParityOptions().n(30).k(5).cot(true).secretSeed(0L).seed(1);
        ParityOptions b = a.copy().seed(2);
        assertEquals(Arrays.toString(ParityExperiment.task(a).secret()),
                Arrays.toString(ParityExperiment.task(b).secret()));
        ParityOptions c = a.copy().secretSeed(null);
        assertEquals(Arrays.toString(ParityTask.withSeed(30, 5, true, 1).secret()),
                Arrays.toString(ParityExperiment.task(c).secret()), "by default the run's seed draws the secret");
    }

    @Test
    void theDecayHorizonIsIndependentOfTheBudget() {
        // With a horizon of 10^7 samples, one step of batch 512 lowers the rate by one step in ceil(10^7 / 512).
        ParityOptions o = ExperimentTest.small().batch(512).maxSamples(2048).lrDecaySamples(10_000_000L).lr(1e-3);
        ParityTask task = ParityExperiment.task(o);
        long total = (10_000_000L + 511) / 512;
        try (GptParityLearner l = (GptParityLearner) ParityExperiment.create(o, task, 1)) {
            assertEquals(1e-3, l.trainer().learningRate(), 1e-15);
            int[] tokens = new int[512 * task.length()];
            int[] targets = new int[tokens.length];
            new ParityData(task, 3, 16, 0).nextBatch(512, tokens);
            ParityExperiment.fillTargets(tokens, targets, 512, task.length(), task.labelRows());
            l.train(tokens, targets, 512, task.length());
            assertEquals(1e-3 * (total - 1) / total, l.trainer().learningRate(), 1e-15);
        }
        // Without a horizon the rate decays over the budget: 4 steps of 512.
        try (GptParityLearner l = (GptParityLearner) ParityExperiment.create(o.copy().lrDecaySamples(0), task, 1)) {
            int[] tokens = new int[512 * task.length()];
            int[] targets = new int[tokens.length];
            new ParityData(task, 3, 16, 0).nextBatch(512, tokens);
            ParityExperiment.fillTargets(tokens, targets, 512, task.length(), task.labelRows());
            l.train(tokens, targets, 512, task.length());
            assertEquals(1e-3 * 3 / 4, l.trainer().learningRate(), 1e-15);
        }
    }

    @Test
    void theThresholdStopsTheRunEarlier() throws IOException {
        ParityResult strict = ParityExperiment.run(ExperimentTest.small(), null);
        ParityResult loose = ParityExperiment.run(ExperimentTest.small().threshold(0.5), null);
        assertTrue(strict.converged() && loose.converged());
        assertEquals(0.5, loose.threshold());
        assertTrue(loose.sampleComplexity() <= strict.sampleComplexity());
        assertEquals(loose.sampleComplexity(), loose.samplesToExactMatch().get("0.5"));
        assertTrue(loose.finalExactMatch() >= 0.5);
        assertEquals(strict.sampleComplexity(), strict.samplesToExactMatch().get("1.0"));
        assertTrue(strict.samplesToExactMatch().get("0.9") <= strict.samplesToExactMatch().get("0.99"));
        assertTrue(strict.samplesToSecretProbability().containsKey("0.9"));
        assertEquals(strict.history().size(), strict.history().stream().filter(p -> p.cotEntropyMean() != null)
                .count(), "every evaluation records the CoT entropy");
    }

    @Test
    void theoryWithoutCotScoresTheEndOfInputRow() throws IOException {
        ParityOptions o = new ParityOptions().model(ParityOptions.Model.THEORY).n(8).k(1).dim(32).batch(256)
                .maxSamples(1024).evalEvery(512).evalSize(64).threads(1);
        ParityTask task = ParityExperiment.task(o);
        assertEquals(10, task.length(), "b_1..b_8, the end-of-input 0, the answer");
        try (ParityLearner l = ParityExperiment.create(o, task, 1)) {
            assertEquals(Arrays.toString(new int[] {8}), Arrays.toString(l.scoredRows(task)),
                    "Definition 1: the loss is on row n + 1 (1-based), the 0's row");
        }
        ParityResult r = ParityExperiment.run(o, null);
        assertEquals(1024, r.samplesSeen());
        assertEquals(null, r.cotEntropyMean());
    }

    @Test
    void newSettingsAreValidatedByName() {
        assertTrue(message(() -> new ParityOptions().threshold(0).validate()).startsWith("threshold:"));
        assertTrue(message(() -> new ParityOptions().threshold(1.01).validate()).startsWith("threshold:"));
        assertTrue(message(() -> new ParityOptions().lrDecaySamples(-1).validate()).startsWith("lrDecaySamples:"));
        assertTrue(message(() -> new ParityOptions().attentionDropout(1f).validate())
                .startsWith("attentionDropout:"));
        assertTrue(message(() -> new ParityOptions().attentionDropout(0.1f).normalizer(Normalizer.ENTMAX15)
                .validate()).startsWith("attentionDropout:"));
        assertTrue(message(() -> new ParityOptions().model(ParityOptions.Model.THEORY).precision(Precision.BF16)
                .validate()).startsWith("precision:"));
        assertTrue(message(() -> new ParityOptions().precision(null).validate()).startsWith("precision:"));
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
