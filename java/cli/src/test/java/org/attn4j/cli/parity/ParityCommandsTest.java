package org.attn4j.cli.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.attn4j.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code parity}, {@code sweep}, {@code throughput} and {@code logits} on problems small enough for a test. */
class ParityCommandsTest {
    /** A parity problem a one-layer model learns with CoT in a few thousand samples (seconds). */
    private static final String[] SMALL = {"--n", "8", "--k", "2", "--dim", "32", "--batch", "32", "--lr", "3e-3",
        "--eval-every", "512", "--eval-size", "128", "--threads", "2", "--seed", "1"};

    @TempDir
    Path dir;

    @Test
    void parityWithCotConvergesAndWritesJsonHeatmapAndCheckpoint() throws IOException {
        Path json = dir.resolve("r.json");
        Path png = dir.resolve("h.png");
        Path model = dir.resolve("model");
        String[] r = run(with(SMALL, "parity", "--cot", "--max-samples", "30000", "--json", json.toString(),
                "--heatmap", png.toString(), "--save", model.toString()));
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].startsWith("gpt n=8 k=2 CoT: converged after "), r[1]);
        assertTrue(r[2].contains("| exact 1.000 |"), "progress lines go to stderr:\n" + r[2]);

        JsonNode summary = new ObjectMapper().readTree(r[1].substring(r[1].indexOf('{')));
        JsonNode file = new ObjectMapper().readTree(json.toFile());
        for (String key : new String[] {"n", "k", "cot", "secret", "converged", "sample_complexity", "samples_seen",
            "final_exact_match", "entropy", "secret_attention", "seconds", "cot_entropy_mean", "secret_probability",
            "secret_probability_by_row", "samples_to_exact_match", "samples_to_secret_probability", "threshold"}) {
            assertTrue(summary.has(key), "summary has " + key);
            assertTrue(file.has(key), "JSON file has " + key);
        }
        assertTrue(file.get("converged").asBoolean());
        assertEquals(1.0, file.get("final_exact_match").asDouble());
        assertEquals(file.get("sample_complexity").asLong(), summary.get("sample_complexity").asLong());
        assertEquals(2, file.get("secret").size());
        assertTrue(file.get("entropy").get(0).get(0).asDouble() < 1.0);
        BufferedImage heatmap = ImageIO.read(png.toFile());
        assertTrue(heatmap.getWidth() > 100 && heatmap.getHeight() > 100);
        assertTrue(Files.size(model.resolve("model.safetensors")) > 0);
        assertTrue(Files.exists(model.resolve("config.json")));

        // The saved model answers through `logits`: positions x vocabulary numbers, finite.
        String[] l = run("logits", "--model", model.toString(), "--tokens", "1,0,1,1,0,0,1,0");
        assertEquals("0", l[0], l[1] + l[2]);
        double[] logits = Arrays.stream(l[1].strip().split(" ")).mapToDouble(Double::parseDouble).toArray();
        int vocab = new ObjectMapper().readTree(model.resolve("config.json").toFile()).findValue("vocab_size").asInt();
        assertEquals(8 * vocab, logits.length);
        assertTrue(Arrays.stream(logits).allMatch(Double::isFinite));
        String[] bad = run("logits", "--model", model.toString(), "--tokens", "1,0,99");
        assertEquals("1", bad[0]);
        assertTrue(bad[2].startsWith("attn4j logits: --tokens: expected ids in 0.."), bad[2]);
    }

    @Test
    void endOfInputPutsTheAnswerOnItsOwnRowAndIsRecorded() throws IOException {
        Path json = dir.resolve("eoi.json");
        Path model = dir.resolve("eoi-model");
        String[] r = run(with(SMALL, "parity", "--end-of-input", "--max-samples", "1024", "--json", json.toString(),
                "--save", model.toString()));
        assertEquals("0", r[0], r[1] + r[2]);
        JsonNode file = new ObjectMapper().readTree(json.toFile());
        assertTrue(file.get("settings").get("end_of_input").asBoolean(), file.get("settings").toString());
        JsonNode config = new ObjectMapper().readTree(model.resolve("config.json").toFile());
        assertTrue(config.findValue("end_of_input").asBoolean(), config.toString());
        // The probe reads the layout from the checkpoint: n = 8 bits, then the end token, then the answer.
        String[] p = run("probe", "--model", model.toString(), "--per-pattern", "4");
        assertEquals("0", p[0], p[1] + p[2]);
        // Without the flag the settings do not name it, as in runs recorded before it existed.
        Path plain = dir.resolve("plain.json");
        assertEquals("0", run(with(SMALL, "parity", "--max-samples", "512", "--json", plain.toString()))[0]);
        assertFalse(new ObjectMapper().readTree(plain.toFile()).get("settings").has("end_of_input"));
    }

    @Test
    void withoutCotTheSameBudgetIsNotEnough() throws IOException {
        String[] r = run(with(SMALL, "parity", "--max-samples", "2048"));
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].startsWith("gpt n=8 k=2 no CoT: not converged after 2,048 samples (sample complexity not"
                + " reached)"), r[1]);
        JsonNode summary = new ObjectMapper().readTree(r[1].substring(r[1].indexOf('{')));
        assertTrue(summary.get("sample_complexity").isNull());
        assertFalse(summary.get("converged").asBoolean());
    }

    @Test
    void sweepRunsTheGridDrawsFigure1AndRedrawsIt() throws IOException {
        Path json = dir.resolve("sweep.json");
        Path png = dir.resolve("fig.png");
        String[] r = run("sweep", "--n", "6", "--ks", "1..2", "--seeds", "0", "--no-cot-ks", "1",
                "--cot-budget", "8192", "--no-cot-budget", "1024", "--no-cot-eval-every", "512", "--dim", "32",
                "--batch", "32", "--lr", "3e-3", "--eval-every", "512", "--eval-size", "128", "--threads", "2",
                "--png", png.toString(), "--json", json.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        List<String> cells = new ArrayList<>();
        r[1].lines().filter(s -> s.startsWith("k=")).forEach(cells::add);
        assertEquals(3, cells.size(), r[1]);
        assertTrue(cells.stream().anyMatch(c -> c.startsWith("k=1  CoT")), r[1]);
        assertTrue(cells.stream().anyMatch(c -> c.startsWith("k=2  CoT")), r[1]);
        assertTrue(cells.stream().anyMatch(c -> c.startsWith("k=1  no CoT")), r[1]);
        JsonNode sweep = new ObjectMapper().readTree(json.toFile());
        assertEquals(3, sweep.get("runs").size());
        assertEquals(3, sweep.get("summary").size());
        BufferedImage figure = ImageIO.read(png.toFile());
        assertTrue(figure.getWidth() > 200);

        Path again = dir.resolve("again.png");
        String[] redraw = run("sweep", "--redraw", json.toString(), "--png", again.toString());
        assertEquals("0", redraw[0], redraw[1] + redraw[2]);
        assertTrue(ImageIO.read(again.toFile()).getWidth() > 200);
    }

    @Test
    void throughputMeasuresTrainingSpeed() throws IOException {
        String[] r = run(with(SMALL, "throughput", "--cot", "--samples", "256", "--warmup", "0"));
        assertEquals("0", r[0], r[1] + r[2]);
        JsonNode t = new ObjectMapper().readTree(r[1].substring(r[1].indexOf('{')));
        assertEquals(256, t.get("samples").asLong());
        assertTrue(t.get("samples_per_second").asDouble() > 0);
        assertTrue(t.get("samples_per_cpu_second").asDouble() > 0);
        assertTrue(r[1].contains("samples/s"), r[1]);
    }

    @Test
    void badSettingsAreNamedByTheirFlags() {
        assertError("attn4j parity: --eval-every: expected >= 1, got 0", "parity", "--eval-every", "0");
        assertError("attn4j parity: --k: expected 1..n (4), got 5", "parity", "--n", "4", "--k", "5");
        assertError("attn4j parity: --heads: expected a divisor of dim (64), got 3", "parity", "--heads", "3");
        assertError("attn4j parity: --layers/--heads: the theory model has one layer and one head, got 2 layers and"
                + " 1 heads", "parity", "--model", "theory", "--layers", "2");
        assertError("attn4j parity: --model: expected gpt or theory, got 'bert'", "parity", "--model", "bert");
        assertError("attn4j parity: --epochs: expected >= 1 with a fixed training set (trainSize 100), got 0",
                "parity", "--train-size", "100");
        assertError("attn4j sweep: --ks: expected whole numbers such as 1,2,3 or 1..6, got 'one'", "sweep", "--ks",
                "one");
        assertError("attn4j sweep: --ks: expected values in 1..n (20), got 21", "sweep", "--ks", "1,21");
        assertError("attn4j sweep: --runs: expected both, cot or no-cot, got 'all'", "sweep", "--runs", "all");
        assertError("attn4j sweep: --redraw: expected --png FILE.png to draw into", "sweep", "--redraw", "x.json");
        assertError("attn4j throughput: --samples: expected >= 1, got 0", "throughput", "--samples", "0");
        assertError("attn4j parity: --theory-width: only for --model theory (this run trains the gpt model)",
                "parity", "--theory-width", "64");
        assertError("attn4j sweep: --theory-epsilon: only for --model theory (this run trains the gpt model)",
                "sweep", "--theory-epsilon", "0.5");
        assertError("attn4j sweep: --cot-budget: expected >= 1, got 0", "sweep", "--cot-budget", "0");
        assertError("attn4j sweep: --reuse no-such.json: no such file, expected an earlier sweep's --json file",
                "sweep", "--reuse", "no-such.json");
        // Found only when the run draws its data: still named by the flag.
        assertError("attn4j parity: --train-size: the 4000 training and 128 evaluation inputs must be distinct, but"
                + " n = 8 has only 256", "parity", "--n", "8", "--k", "2", "--eval-size", "128", "--train-size",
                "4000", "--epochs", "2");
        String[] r = run("parity", "--lr", "fast");
        assertEquals("2", r[0], "a value that is not a number is a usage error");
        // Sizes whose arrays would overflow an int: refused by name, not an internal error.
        r = run("parity", "--batch", "2000000000", "--eval-size", "16");
        assertEquals("1", r[0], r[2]);
        assertTrue(r[2].contains("attn4j parity: --batch: 2000000000 sequences of 21 tokens"), r[2]);
        r = run("parity", "--n", "100000", "--k", "2");
        assertEquals("1", r[0], r[2]);
        assertTrue(r[2].contains("more than one Java array holds") && !r[2].contains("internal error"), r[2]);
    }

    @Test
    void paperPresetAndItsOverrides() throws IOException {
        Path json = dir.resolve("paper.json");
        String[] r = run("parity", "--paper", "--n", "8", "--k", "2", "--cot", "--dim", "32", "--max-samples", "1024",
                "--eval-size", "128", "--eval-every", "512", "--lr", "6e-5", "--threshold", "0.995", "--threads", "1",
                "--json", json.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        JsonNode s = new ObjectMapper().readTree(json.toFile()).get("settings");
        assertEquals(512, s.get("batch").asInt());
        assertEquals(6e-5, s.get("lr").asDouble(), "a flag after --paper overrides it");
        assertEquals("bf16", s.get("precision").asText());
        assertEquals(0.1, s.get("attention_dropout").asDouble(), 1e-6);
        assertEquals(10_000_000L, s.get("lr_decay_samples").asLong());
        assertEquals(0L, s.get("secret_seed").asLong());
        assertEquals(0.995, s.get("threshold").asDouble());
        assertEquals(512, s.get("eval_every").asInt());
        String[] fp32 = run("parity", "--paper", "--precision", "fp32", "--n", "8", "--k", "2", "--dim", "32",
                "--max-samples", "512", "--eval-size", "64", "--threads", "1", "--json", json.toString());
        assertEquals("0", fp32[0], fp32[1] + fp32[2]);
        assertEquals("fp32", new ObjectMapper().readTree(json.toFile()).get("settings").get("precision").asText());
    }

    @Test
    void figureDrawsRecordedRuns() throws IOException {
        Path json = dir.resolve("run.json");
        String[] r = run(with(SMALL, "parity", "--cot", "--max-samples", "30000", "--json", json.toString()));
        assertEquals("0", r[0], r[1] + r[2]);
        for (String kind : new String[] {"curves", "by-k", "grid"}) {
            Path png = dir.resolve(kind + ".png");
            String[] f = run("figure", "--kind", kind, "--png", png.toString(), "k=2=" + json, "again=" + json);
            assertEquals("0", f[0], f[1] + f[2]);
            BufferedImage image = ImageIO.read(png.toFile());
            assertTrue(image.getWidth() >= 600 && image.getHeight() >= 400, kind);
        }
        assertError("attn4j figure: --kind: expected curves, by-k or grid, got 'pie'", "figure", "--kind", "pie",
                "--png", dir.resolve("x.png").toString(), "a=" + json);
        assertError("attn4j figure: LABEL=FILE: expected a label, '=' and a parity --json file, got '" + json + "'",
                "figure", "--kind", "curves", "--png", dir.resolve("x.png").toString(), json.toString());
        assertError("attn4j figure: --levels: expected numbers in (0, 1], got '2'", "figure", "--kind", "by-k",
                "--levels", "2", "--png", dir.resolve("x.png").toString(), "a=" + json);
    }

    @Test
    void newFlagsAreNamedInTheirErrors() {
        assertError("attn4j parity: --threshold: expected an exact match in (0, 1], got 1.5", "parity",
                "--threshold", "1.5");
        assertError("attn4j parity: --precision: expected fp32 or bf16, got 'fp8'", "parity", "--precision", "fp8");
        assertError("attn4j parity: --lr-decay-samples: expected >= 1 (0: the sample budget), got -1", "parity",
                "--lr-decay-samples", "-1");
        assertError("attn4j parity: --attention-dropout: only for the gpt model with softmax attention (its backward"
                + " pass is softmax's), got gpt with sparsemax", "parity", "--attention-dropout", "0.1",
                "--normalizer", "sparsemax");
        assertError("attn4j parity: --precision: bf16 is for the gpt model; the theory model trains in fp32, got"
                + " bf16", "parity", "--model", "theory", "--precision", "bf16");
    }

    @Test
    void listsOfNumbers() {
        assertEquals(List.of(1L, 2L, 3L), IntList.parse("--ks", "1..3"));
        assertEquals(List.of(1L, 3L, 5L, 6L), IntList.parse("--ks", "1, 3,5..6"));
        assertEquals(List.of(0L), IntList.parse("--seeds", "0"));
        assertEquals("--ks: expected a range FROM..TO with FROM <= TO, got '3..1'",
                org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                        () -> IntList.parse("--ks", "3..1")).getMessage());
    }

    private static void assertError(String expected, String... args) {
        String[] r = run(args);
        assertEquals("1", r[0], String.join(" ", args) + "\n" + r[1] + r[2]);
        assertEquals(expected, r[2].strip());
    }

    private static String[] with(String[] base, String command, String... more) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.addAll(Arrays.asList(base));
        all.addAll(Arrays.asList(more));
        return all.toArray(new String[0]);
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }
}
