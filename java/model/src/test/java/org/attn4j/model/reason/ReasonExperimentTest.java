package org.attn4j.model.reason;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.attn4j.model.encdec.DecodeAttention;
import org.attn4j.model.encdec.EncDecCheckpoint;
import org.attn4j.model.encdec.EncDecConfig;
import org.attn4j.model.encdec.Sparsity;
import org.attn4j.model.io.Json;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;
import org.attn4j.model.parity.ProgressListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reasoning runs end to end on small problems, and their settings and checks. */
class ReasonExperimentTest {

    /** A one-block encoder-decoder, two heads, hidden 32. */
    private static ReasonOptions small() {
        return new ReasonOptions().dim(32).heads(2).encoderLayers(1).decoderLayers(1).dropout(0.1f).batch(32)
                .evalEvery(1024).evalSize(64).testSize(64).threads(2);
    }

    @Test
    void encoderDecoderLearnsParityWithChainOfThoughtAndReasonsThroughTopK(@TempDir Path dir) throws Exception {
        ReasonOptions o = small().task("parity").n(10).k(2).maxSamples(30_000)
                .decodeAttention(List.of(DecodeAttention.everywhere(Sparsity.tokenTopK(1)))).json(dir.resolve("r.json")).save(dir.resolve("m"));
        List<String> lines = new ArrayList<>();
        ReasonResult r = ReasonExperiment.run(o, new ProgressListener() {
            @Override
            public void onProgress(org.attn4j.model.parity.Progress p) {
            }

            @Override
            public void onStage(String line) {
                lines.add(line);
            }
        });
        assertNotNull(r.samplesToConverge(), String.join("\n", lines));
        assertEquals(1.0, r.accuracy(), 0, "generation must reason as well as teacher forcing measured");
        assertEquals(1.0, r.exactMatch(), 0);
        assertEquals(2.0, r.cotLength(), 0);
        assertEquals(2, r.tests().size());
        TestResult topK = r.tests().get(1);
        assertEquals("tokentopk:1", topK.decodeAttention());
        assertTrue(topK.attendedFraction() < r.attendedFraction(), "top-1 attends fewer pairs");
        assertEquals(1.0, r.attendedFraction(), 0, "dense attention attends every pair");
        JsonNode json = Json.mapper().readTree(dir.resolve("r.json").toFile());
        for (String field : new String[] {"accuracy", "cot_length", "attended_fraction", "ms_per_problem",
            "samples_to_converge", "settings", "tests", "history"}) {
            assertTrue(json.has(field), field);
        }
        assertTrue(Files.isRegularFile(dir.resolve("m").resolve(EncDecCheckpoint.WEIGHTS)));
        EncDecCheckpoint.load(dir.resolve("m"), Parallel.serial()).model().close();

        // The saved model, tested again without training: the same answers on the same held-out problems.
        ReasonResult again = ReasonExperiment.run(o.copy().save(null).json(null).load(dir.resolve("m"))
                .testRepeats(2), ProgressListener.NONE);
        assertEquals(0, again.samplesSeen(), "a loaded model is not trained");
        assertEquals(r.accuracy(), again.accuracy(), 0);
        assertEquals(r.exactMatch(), again.exactMatch(), 0);
        assertEquals(r.tests().get(1).accuracy(), again.tests().get(1).accuracy(), 0);
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> ReasonExperiment.run(
                o.copy().save(null).json(null).load(dir.resolve("m")).dim(16), ProgressListener.NONE));
        assertTrue(other.getMessage().startsWith("load: the model in "), other.getMessage());
    }

    @Test
    void fastestKeepsTheAnswersAndTheSmallerTimes() {
        TestResult a = new TestResult("as trained", 8, 10, 0.5, 0.4, 3.0, 0.25, java.util.Map.of(), 2.0, 1.5, 0.5,
                1.5, 1.0);
        TestResult b = new TestResult("as trained", 8, 10, 0.5, 0.4, 3.0, 0.25, java.util.Map.of(), 1.0, 1.75, 0.25,
                0.75, 1.0);
        TestResult f = ReasonExperiment.fastest(a, b);
        assertEquals(1.0, f.msPerProblem(), 0);
        assertEquals(1.5, f.cpuMsPerProblem(), 0);
        assertEquals(0.25, f.encodeMsPerProblem(), 0);
        assertEquals(0.75, f.decodeMsPerProblem(), 0);
        assertEquals(0.5, f.accuracy(), 0);
        assertEquals(3.0, f.cotLength(), 0);
    }

    @Test
    void gptBaselineHasTheEncoderDecodersParameterCount() {
        for (String task : new String[] {"linalg", "parity", "sum", "pointer"}) {
            ReasonOptions o = small().task(task).validate();
            ReasoningTask t = o.buildTask();
            EncDecConfig enc = EncDecReasoner.config(t, o);
            long gpt = GptReasoner.config(t, o).parameterCount();
            assertEquals(enc.parameterCount(), gpt, 0.01 * enc.parameterCount(), task);
        }
    }

    @Test
    void configParameterCountIsTheModelsParameters() {
        ReasonOptions o = small().task("pointer").validate();
        EncDecConfig c = EncDecReasoner.config(o.buildTask(), o);
        try (var m = new org.attn4j.model.encdec.EncDecModel(c, 0, Parallel.serial())) {
            long total = 0;
            for (Parameter p : m.parameters()) {
                total += p.size();
            }
            assertEquals(total, c.parameterCount());
        }
    }

    @Test
    void gptRunsEndToEndOnASmallBudget() throws Exception {
        ReasonResult r = ReasonExperiment.run(small().task("sum").n(10).p(3).group(2).arch(ReasonOptions.Arch.GPT)
                .maxSamples(256).decodeAttention(List.of(DecodeAttention.everywhere(Sparsity.tokenTopK(2)))), ProgressListener.NONE);
        assertEquals("gpt", r.arch());
        assertEquals(256, r.samplesSeen());
        assertEquals(2, r.tests().size());
        assertEquals(1.0, r.attendedFraction(), 1e-12);
        assertTrue(r.tests().get(1).attendedFraction() < 1.0);
        assertTrue(r.cotLength() >= 0 && r.cotLength() <= 6, "cot length " + r.cotLength());
    }

    @Test
    void pointerModelReasonsOnLongerTables() throws Exception {
        ReasonResult r = ReasonExperiment.run(small().task("pointer").n(8).hops(2).symbols(64).maxSamples(128)
                .testSize(16).testLengths(List.of(48)), ProgressListener.NONE);
        assertEquals(2, r.tests().size());
        assertEquals(48, r.tests().get(1).inputLength());
    }

    @Test
    void heldOutProblemsAreDistinct() {
        ReasoningTask t = new ParityCotTask(10, 2, 0);
        java.util.Set<Long> seen = new java.util.HashSet<>();
        List<Problem> a = ReasonExperiment.distinct(t, 200, new SplittableRandom(1), seen);
        List<Problem> b = ReasonExperiment.distinct(t, 200, new SplittableRandom(2), seen);
        java.util.Set<Long> all = new java.util.HashSet<>();
        a.forEach(p -> all.add(p.fingerprint()));
        b.forEach(p -> all.add(p.fingerprint()));
        assertEquals(400, all.size());
    }

    @Test
    void badSettingsNameTheirField() {
        assertMessage("task: expected linalg, pointer, parity or sum, got 'chess'", small().task("chess"));
        assertMessage("featureMask: expected 0 <= alpha < 1 (0: off), got 1.0", small().featureMask(1.0));
        assertMessage("featureMask: the gpt architecture has no CoT module; the feature mask is the"
                + " encoder-decoder's", small().arch(ReasonOptions.Arch.GPT).featureMask(0.3));
        assertMessage("heads: expected a divisor of dim (32), got 3", small().heads(3));
        assertMessage("testLengths: the gpt architecture reads the input as one sequence with learned positions;"
                + " it runs only at the training length", small().task("pointer").arch(ReasonOptions.Arch.GPT)
                .testLengths(List.of(32)));
        assertMessage("testLengths: the linalg task's model learns input positions, so it only runs at the length"
                + " it was trained on", small().task("linalg").testLengths(List.of(30)));
        assertMessage("testLengths: 100: expected 2..64 cells (at most the symbols), got 100",
                small().task("pointer").testLengths(List.of(100)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> small().task("parity").n(6).evalSize(20).testSize(20).validate());
        assertTrue(e.getMessage().startsWith("evalSize/testSize: "), e.getMessage());
        IllegalArgumentException block = assertThrows(IllegalArgumentException.class,
                () -> small().arch(ReasonOptions.Arch.GPT).attention(Sparsity.blockTopK(2, 4)).validate());
        assertTrue(block.getMessage().startsWith("attention: the gpt architecture"), block.getMessage());
    }

    @Test
    void loadAndTestRepeatsAreChecked(@TempDir Path dir) {
        assertMessage("load: " + dir.resolve("none") + " is not a model directory",
                small().task("pointer").load(dir.resolve("none")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> small().task("pointer").testRepeats(0).validate());
        assertTrue(e.getMessage().startsWith("testRepeats: "), e.getMessage());
    }

    private static void assertMessage(String expected, ReasonOptions o) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, o::validate).getMessage());
    }
}
