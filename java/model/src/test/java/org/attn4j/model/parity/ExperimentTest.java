package org.attn4j.model.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.attn4j.model.io.Checkpoint;
import org.attn4j.model.nn.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The entry points end to end on problems small enough for CI (seconds): they train, converge, measure and write
 * their files. The recorded experiments (n = 20) are in docs/results/.
 */
class ExperimentTest {
    @TempDir
    Path dir;

    /** A small parity problem the one-layer model learns in a few thousand samples. */
    static ParityOptions small() {
        return new ParityOptions().n(8).k(2).cot(true).dim(32).batch(32).lr(3e-3).dropout(0.1f).maxSamples(30_000)
                .evalEvery(512).evalSize(128).threads(2).seed(1);
    }

    @Test
    void parityWithCotConvergesAndWritesItsFiles() throws IOException {
        List<Progress> seen = new ArrayList<>();
        ParityOptions o = small().json(dir.resolve("r.json")).heatmap(dir.resolve("h.png")).save(dir.resolve("m"));
        ParityResult r = ParityExperiment.run(o, seen::add);
        assertTrue(r.converged(), "n=8 k=2 with CoT converges within 30k samples; history " + r.history());
        assertEquals(r.sampleComplexity(), r.samplesSeen(), "training stops at the first exact match 1.0");
        assertEquals(0, r.sampleComplexity() % 512, "sample complexity is measured at an evaluation");
        assertEquals(1.0, r.finalExactMatch());
        assertEquals(1, r.entropy().length);
        assertTrue(r.entropy()[0][0] >= 0 && r.entropy()[0][0] < 1);
        assertNotNull(r.secretAttention());
        String selected;
        try (org.attn4j.Tensor x = org.attn4j.Tensor.allocate(org.attn4j.DType.FP32, 1, 1, 1, 16)) {
            selected = org.attn4j.Attention.select(org.attn4j.AttentionRequest.builder(x, x, x).build()).name();
        }
        assertEquals(selected, r.attention(), "attention runs on the provider automatic selection picks");
        assertTrue(seen.size() >= 2);
        assertEquals(0, seen.get(0).samples());
        assertTrue(seen.get(seen.size() - 1).line().contains("exact 1.000"));

        JsonNode json = new ObjectMapper().readTree(dir.resolve("r.json").toFile());
        for (String key : new String[] {"n", "k", "cot", "secret", "converged", "sample_complexity", "samples_seen",
                "final_exact_match", "entropy", "secret_attention", "seconds"}) {
            assertTrue(json.has(key), "JSON has " + key);
        }
        assertEquals(r.sampleComplexity().longValue(), json.get("sample_complexity").asLong());
        BufferedImage png = ImageIO.read(dir.resolve("h.png").toFile());
        assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
        assertTrue(Files.exists(dir.resolve("m/model.safetensors")));
        try (var loaded = Checkpoint.loadGpt(dir.resolve("m"), Parallel.serial()).model()) {
            assertEquals(32, loaded.config().dModel());
        }
    }

    @Test
    void withoutCotTheSameBudgetIsNotEnough() throws IOException {
        ParityResult r = ParityExperiment.run(small().k(4).cot(false).maxSamples(4096), null);
        assertTrue(r.samplesSeen() <= 4096);
        assertNull(r.secretAttention());
        if (!r.converged()) {
            assertNull(r.sampleComplexity());
            assertEquals(4096, r.samplesSeen());
        }
    }

    @Test
    void multiPassTrainsForTheGivenEpochs() throws IOException {
        ParityResult r = ParityExperiment.run(small().trainSize(64).epochs(3).stopAtConvergence(false), null);
        assertEquals(192, r.samplesSeen());
        assertEquals(192, r.budget());
    }

    @Test
    void theoryModelLearnsWithOneHotAttention() throws IOException {
        // The paper's schedule: two large steps put the attention on the secrets, then the FFN learns the output.
        ParityResult r = ParityExperiment.run(new ParityOptions().model(ParityOptions.Model.THEORY).n(20).k(2)
                .cot(true).dim(128).batch(4096).theoryWarmLr(10_000).lr(100).maxSamples(65_536).evalEvery(4096)
                .evalSize(512).threads(2).seed(0), null);
        assertEquals("theory", r.model());
        assertTrue(r.attention().startsWith("direct"));
        assertTrue(r.converged(), "history " + r.history());
        for (double p : r.secretProbabilityByRow()) {
            assertTrue(p > 0.95, "attention one-hot on the secret: " + java.util.Arrays.toString(
                    r.secretProbabilityByRow()));
        }
    }

    @Test
    void invalidOptionsNameTheField() {
        assertEquals("heads: expected a divisor of dim (32), got 3",
                assertThrows(IllegalArgumentException.class, () -> small().heads(3).validate()).getMessage());
        assertEquals("epochs: expected >= 1 with a fixed training set (trainSize 10), got 0",
                assertThrows(IllegalArgumentException.class, () -> small().trainSize(10).validate()).getMessage());
        assertEquals("global: only meaningful with a window; set window too",
                assertThrows(IllegalArgumentException.class, () -> small().globalTokens(2).validate()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> small().model(ParityOptions.Model.THEORY).layers(2).validate()).getMessage()
                .startsWith("layers/heads: the theory model has one layer and one head"));
        assertEquals("model: expected gpt or theory, got 'rnn'",
                assertThrows(IllegalArgumentException.class, () -> ParityOptions.Model.parse("rnn")).getMessage());
    }

    @Test
    void sweepDrawsFigure1() throws IOException {
        SweepOptions s = new SweepOptions().base(small().maxSamples(1)).ks(List.of(1, 2)).seeds(List.of(0L))
                .cotBudget(8192).noCotBudget(2048).png(dir.resolve("fig1.png")).json(dir.resolve("sweep.json"));
        List<String> stages = new ArrayList<>();
        SweepResult r = SweepExperiment.run(s, new ProgressListener() {
            @Override
            public void onProgress(Progress p) {
            }

            @Override
            public void onStage(String line) {
                stages.add(line);
            }
        });
        assertEquals(4, r.runs().size());
        assertEquals(4, stages.size());
        assertEquals(4, r.summary().size());
        assertTrue(r.summary().get(0).cot());
        BufferedImage png = ImageIO.read(dir.resolve("fig1.png").toFile());
        assertEquals(1200, png.getWidth());
        JsonNode json = new ObjectMapper().readTree(dir.resolve("sweep.json").toFile());
        assertEquals(4, json.get("runs").size());
        assertTrue(json.get("summary").get(0).has("median_sample_complexity"));

        // Extending the sweep reuses the runs it already has and runs only the new ones.
        stages.clear();
        SweepResult more = SweepExperiment.run(s.ks(List.of(1, 2, 3)).noCotKs(List.of(1, 2)).reuse(
                dir.resolve("sweep.json")).json(null).png(null), new ProgressListener() {
                    @Override
                    public void onProgress(Progress p) {
                    }

                    @Override
                    public void onStage(String line) {
                        stages.add(line);
                    }
                });
        assertEquals(5, more.runs().size());
        assertEquals(4, stages.stream().filter(l -> l.endsWith(": reused")).count(), String.join("\n", stages));
        assertEquals(r.runs().get(0).sampleComplexity(), more.runs().get(0).sampleComplexity());
        assertEquals(r.runs().get(0).history().size(), more.runs().get(0).history().size());

        // A setting the earlier runs did not share (here the dropout) makes them unusable: nothing is reused.
        stages.clear();
        SweepResult other = SweepExperiment.run(s.base(s.base().copy().dropout(0.05f)).ks(List.of(1)).noCotKs(
                List.of(1)).reuse(dir.resolve("sweep.json")), new ProgressListener() {
                    @Override
                    public void onProgress(Progress p) {
                    }

                    @Override
                    public void onStage(String line) {
                        stages.add(line);
                    }
                });
        assertEquals(2, other.runs().size());
        assertEquals(0, stages.stream().filter(l -> l.endsWith(": reused")).count(), String.join("\n", stages));
        assertEquals(0.05, ((Number) other.runs().get(0).settings().get("dropout")).doubleValue(), 1e-6);
    }

    @Test
    void medianCountsUnconvergedRunsAsInfinite() {
        assertEquals(5L, SweepExperiment.median(java.util.Arrays.asList(5L, 3L, null)));
        assertEquals(4L, SweepExperiment.median(java.util.Arrays.asList(5L, 3L)));
        assertNull(SweepExperiment.median(java.util.Arrays.asList(5L, null)));
        assertNull(SweepExperiment.median(java.util.Arrays.asList(null, null, 7L)));
    }

    @Test
    void demoGeneratesTheChainOfThoughtThroughSparseAttention() throws IOException {
        DemoOptions d = new DemoOptions().training(small()).prompts(64).topKs(List.of(1, 2))
                .json(dir.resolve("demo.json"));
        DemoResult r = DemoStory.run(d, null);
        assertTrue(r.training().converged());
        assertEquals(3, r.generation().size());
        DemoResult.Generation dense = r.generation().get(0);
        assertEquals("dense", dense.attention());
        assertEquals(1.0, dense.exactMatch(), "a converged model generates its chain of thought exactly");
        assertEquals(1.0, dense.density());
        DemoResult.Generation top1 = r.generation().get(1);
        assertTrue(top1.attendedPairs() < dense.attendedPairs());
        assertEquals(64L * 2, top1.attendedPairs(), "one key per generated query (k + 1 = 3 tokens, 2 decode steps)");
        assertTrue(Files.exists(dir.resolve("demo.json")));
    }
}
