package org.attn4j.cli.reason;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.attn4j.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reason} and {@code reason-plot} on budgets small enough for a test, and their errors. */
class ReasonCommandTest {
    @TempDir
    Path dir;

    @Test
    void reasonWritesTheFieldsTheIssueAsksForAndThePlotDrawsThem() throws IOException {
        Path json = dir.resolve("r.json");
        String[] r = run("reason", "--task", "pointer", "--n", "8", "--hops", "2", "--symbols", "32",
                "--max-samples", "256", "--eval-every", "128", "--eval-size", "32", "--test-size", "32", "--dim", "32",
                "--attention", "tokentopk:0.5", "--feature-mask", "0.3", "--output", "sparsemax",
                "--decode-attention", "tokentopk:1", "--test-lengths", "16", "--threads", "2", "--json",
                json.toString(), "--save", dir.resolve("m").toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].startsWith("encdec on pointer n=8 hops=2 symbols=32, tokentopk:0.5 attention, feature mask"
                + " alpha 0.3, sparsemax output: accuracy "), r[1]);
        assertTrue(r[2].contains("| 128/256 samples | loss "), "progress goes to stderr:\n" + r[2]);
        JsonNode summary = new ObjectMapper().readTree(r[1].substring(r[1].indexOf('{')));
        JsonNode file = new ObjectMapper().readTree(json.toFile());
        for (String key : new String[] {"accuracy", "cot_length", "attended_fraction", "ms_per_problem",
            "exact_match", "samples_to_converge", "parameters", "tests"}) {
            assertTrue(summary.has(key), "summary has " + key);
            assertTrue(file.has(key), "JSON file has " + key);
        }
        assertEquals(4, file.get("tests").size(), "as trained and top-1, at lengths 8 and 16");
        assertTrue(file.get("attended_fraction").asDouble() < 1.0, "token top-k attends fewer pairs than dense");
        assertTrue(file.get("settings").get("feature_mask").asDouble() == 0.3);
        assertTrue(Files.exists(dir.resolve("m").resolve("model.safetensors")));

        Path png = dir.resolve("f.png");
        String[] p = run("reason-plot", "--kind", "lines", "--x", "input_length", "--y", "accuracy,ms_per_problem",
                "--series", "decode_attention", "--log-x", "--png", png.toString(), json.toString());
        assertEquals("0", p[0], p[1] + p[2]);
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img.getWidth() >= 1000 && img.getHeight() > 300, img.getWidth() + "x" + img.getHeight());
        String[] bars = run("reason-plot", "--kind", "bars", "--x", "task", "--y", "accuracy", "--series",
                "attention", "--where", "decode_attention=as trained", "--png", png.toString(), json.toString());
        assertEquals("0", bars[0], bars[1] + bars[2]);
        String[] none = run("reason-plot", "--kind", "bars", "--x", "task", "--y", "accuracy", "--where",
                "task=linalg", "--png", png.toString(), json.toString());
        assertEquals("1", none[0]);
        assertTrue(none[2].startsWith("attn4j reason-plot: --where: no row of the files matches {task=linalg}"),
                none[2]);
    }

    @Test
    void gptArchitectureRuns() throws IOException {
        String[] r = run("reason", "--task", "linalg", "--n", "2", "--p", "3", "--arch", "gpt", "--max-samples", "64",
                "--eval-every", "64", "--eval-size", "16", "--test-size", "16", "--dim", "16", "--threads", "2");
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].startsWith("gpt on linalg n=2 p=3, dense attention, softmax output: accuracy "), r[1]);
    }

    @Test
    void badFlagsAreNamed() throws IOException {
        expectError("attn4j reason: --feature-mask: expected 0 <= alpha < 1 (0: off), got 1.5",
                "reason", "--feature-mask", "1.5");
        expectError("attn4j reason: --attention: expected dense, window:W,G, blockmask:F,B, tokentopk:F or"
                + " blocktopk:K,B, got 'sparse'", "reason", "--attention", "sparse");
        expectError("attn4j reason: --decode-attention: expected dense, window:W,G, blockmask:F,B, tokentopk:F or"
                + " blocktopk:K,B, got 'x'", "reason", "--decode-attention", "x");
        expectError("attn4j reason: --task: expected linalg, pointer, parity or sum, got 'chess'",
                "reason", "--task", "chess");
        expectError("attn4j reason: --output: expected softmax or sparsemax, got 'entmax'", "reason", "--output",
                "entmax");
        expectError("attn4j reason: --normalizer: expected one of softmax, sparsemax, entmax15, got 'relu'",
                "reason", "--normalizer", "relu");
        expectError("attn4j reason: --test-lengths: expected whole numbers such as 64,256,1024, got '1,a'",
                "reason", "--test-lengths", "1,a");
        expectError("attn4j reason: --test-lengths: the linalg task's model learns input positions, so it only runs"
                + " at the length it was trained on", "reason", "--task", "linalg", "--test-lengths", "30");
        expectError("attn4j reason: --n: expected 2..64 cells (at most the symbols), got 100", "reason", "--task",
                "pointer", "--n", "100");
        expectError("attn4j reason: --arch: expected encdec or gpt, got 't5'", "reason", "--arch", "t5");
        expectError("attn4j reason: --test-repeats: expected >= 1, got 0", "reason", "--test-repeats", "0");
        expectError("attn4j reason: --load: " + dir.resolve("none") + " is not a model directory", "reason",
                "--load", dir.resolve("none").toString());
        expectError("attn4j reason-plot: --kind: expected lines or bars, got 'pie'", "reason-plot", "--kind", "pie",
                "--x", "a", "--y", "b", "--png", dir.resolve("x.png").toString(), dir.resolve("none.json").toString());
    }

    private void expectError(String message, String... args) {
        String[] r = run(args);
        assertEquals("1", r[0], r[1] + r[2]);
        assertTrue(r[2].startsWith(message), "expected '" + message + "', got:\n" + r[2]);
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }
}
