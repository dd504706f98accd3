package org.attn4j.model.alicot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.attn4j.model.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole run on a problem small enough for a test, its result file, the figures and the option checks. */
class AlicotExperimentTest {
    @TempDir
    Path dir;

    /** Depth 2 over 4 inputs: an aligned model with two thoughts learns it in a few thousand samples. */
    private AlicotOptions small() {
        return new AlicotOptions().inputs(4).depth(2).dim(32).heads(2).batch(32).lr(3e-3).evalEvery(512)
                .evalSize(128).timingProblems(5).maxSamples(20_000).threads(2).seed(0);
    }

    @Test
    void alignedLatentsLearnTheTaskAndTheResultSaysHowFastAndHowCheaply() throws IOException {
        Path json = dir.resolve("aligned.json");
        List<String> lines = new ArrayList<>();
        AlicotResult r = AlicotExperiment.run(small().mode(AlicotMode.ALIGNED).ratio(2).json(json),
                new org.attn4j.model.parity.ProgressListener() {
                    @Override
                    public void onProgress(org.attn4j.model.parity.Progress p) {
                    }

                    @Override
                    public void onStage(String line) {
                        lines.add(line);
                    }
                });
        assertTrue(r.converged(), "accuracy " + r.accuracy());
        assertTrue(r.accuracy() >= 0.99);
        assertNotNull(r.sampleComplexity());
        assertEquals(r.sampleComplexity().longValue(), r.samplesSeen(), "training stops at the target");
        assertEquals(4, r.steps(), "the chain: two inputs, the first gate, the sink's other input");
        assertEquals(2, r.latents());
        assertEquals(3, r.decodeSteps());
        assertEquals(2, r.probe().length);
        assertEquals(r.steps() + 1, r.probe()[0].length);
        assertEquals(1.0, r.chainAccuracy(), 0.02, "the thoughts' distributions name their chunk states");
        assertTrue(r.msPerProblem() > 0 && r.explicitMsPerProblem() > 0 && r.pairedSpeedup() > 0);
        assertTrue(lines.get(lines.size() - 1).contains("accuracy 1.000") || r.accuracy() < 1.0, lines.toString());
        AlicotResult read = Json.read(json, AlicotResult.class);
        assertEquals(r.sampleComplexity(), read.sampleComplexity());
        assertEquals(r.task(), read.task());
        assertEquals(r.history().size(), read.history().size());

        // The figures from it and an explicit run of the same task.
        AlicotResult explicit = AlicotExperiment.run(small().mode(AlicotMode.EXPLICIT), null);
        assertEquals(r.task(), explicit.task(), "a seed fixes the task for every mode");
        assertEquals(1 + explicit.steps(), explicit.decodeSteps());
        assertNull(explicit.pairedSpeedup());
        for (Path png : AlicotFigures.write(List.of(r, explicit), dir)) {
            BufferedImage img = ImageIO.read(png.toFile());
            assertTrue(img.getWidth() > 1000 && img.getHeight() > 400, png.toString());
        }
        String table = AlicotSummary.markdown(List.of(r, explicit));
        assertTrue(table.contains("| 2 | 4 | explicit CoT | 0 | 0 | 1.000 |"), table);
        assertTrue(table.contains("| 2 | 4 | aligned r=2 | 2 | 0 |"), table);
    }

    @Test
    void badSettingsNameTheirField() {
        assertMessage("ratio: mode explicit has no latent tokens; use latent or aligned",
                new AlicotOptions().ratio(2));
        assertMessage("latents: mode none has no latent tokens; use latent or aligned",
                new AlicotOptions().mode(AlicotMode.NONE).latents(2));
        assertMessage("latents: expected >= 1 (0: one per ratio chain steps), got -1",
                new AlicotOptions().mode(AlicotMode.LATENT).latents(-1));
        assertMessage("heads: expected a divisor of dim (64), got 5", new AlicotOptions().heads(5));
        assertMessage("target: expected 0 < target <= 1, got 1.5", new AlicotOptions().target(1.5));
        assertMessage("evalSize: expected >= 2 (the probes fit on one half and test on the other), got 1",
                new AlicotOptions().evalSize(1));
        assertMessage("mode: expected none, explicit, latent or aligned, got null", new AlicotOptions().mode(null));
        assertEquals("mode: expected none, explicit, latent or aligned, got 'implicit'",
                assertThrows(IllegalArgumentException.class, () -> AlicotMode.parse("implicit")).getMessage());
        // Known only once the task, and so the chain's length, is drawn.
        AlicotOptions o = new AlicotOptions().inputs(4).depth(2).mode(AlicotMode.ALIGNED).ratio(2).latents(3);
        DagTask task = DagTask.draw(o.validate().shape(), 1);
        assertEquals("latents: aligned with ratio 2 over a chain of 4 steps needs 2 latent tokens, got 3",
                assertThrows(IllegalArgumentException.class, () -> o.layout(task)).getMessage());
    }

    private static void assertMessage(String expected, AlicotOptions o) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, o::validate).getMessage());
    }
}
