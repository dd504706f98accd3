package org.attn4j.cli.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.attn4j.cli.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code probe} on a model that {@code parity --save} trained to exact match 1.0 with CoT (seconds). */
class ProbeCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void train() {
        model = dir.resolve("model");
        String[] r = run("parity", "--n", "8", "--k", "2", "--cot", "--dim", "32", "--batch", "32", "--lr", "3e-3",
                "--eval-every", "512", "--eval-size", "128", "--threads", "2", "--seed", "1", "--max-samples",
                "30000", "--save", model.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("converged after"), r[1]);
    }

    @Test
    void aConvergedModelIsRightOnEveryPatternAndReadsItsSecretBits() throws IOException {
        Path json = dir.resolve("probe.json");
        String[] r = run("probe", "--model", model.toString(), "--per-pattern", "64", "--json", json.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("n=8 k=2 CoT"), r[1]);
        assertTrue(r[1].contains("256 held-out sequences: 4 patterns of the secret bits x 64"), r[1]);
        assertTrue(r[1].contains("accuracy when a bit is 0 / 1, where the two differ by more than 0.05: none"), r[1]);
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        for (String key : new String[] {"n", "k", "cot", "secret", "sequences_per_pattern", "sequences", "accuracy",
            "mean_probability_correct", "patterns_right", "patterns_wrong", "patterns_mixed",
            "accuracy_by_bit", "influence",
            "parity_coefficient", "constant_coefficient", "top_coefficients", "standard_error", "by_ones",
            "patterns"}) {
            assertTrue(report.has(key), "report has " + key);
        }
        assertTrue(report.get("accuracy").asDouble() >= 0.99, r[1]);
        assertEquals(4, report.get("patterns_right").asInt(), r[1]);
        JsonNode influence = report.get("influence");
        assertEquals(8, influence.size());
        for (int i = 0; i < 8; i++) {
            boolean secret = false;
            for (JsonNode s : report.get("secret")) {
                secret |= s.asInt() == i;
            }
            double v = influence.get(i).asDouble();
            assertTrue(secret ? v >= 0.9 : v <= 0.1, "bit " + i + " influence " + v + "\n" + r[1]);
        }
        assertTrue(report.get("parity_coefficient").asDouble() >= 0.98, r[1]);
    }

    @Test
    void badInputIsRefusedByFlag() throws IOException {
        String[] zero = run("probe", "--model", model.toString(), "--per-pattern", "0");
        assertEquals("1", zero[0]);
        assertTrue(zero[2].contains("--per-pattern: expected >= 1"), zero[2]);
        String[] threads = run("probe", "--model", model.toString(), "--threads", "0");
        assertEquals("1", threads[0]);
        assertTrue(threads[2].contains("--threads: expected >= 1"), threads[2]);
        String[] huge = run("probe", "--model", model.toString(), "--per-pattern", "100000000");
        assertEquals("1", huge[0]);
        assertTrue(huge[2].contains("--per-pattern: 2^2 patterns x 100000000"), huge[2]);
        String[] missing = run("probe", "--model", dir.resolve("nothing").toString());
        assertEquals("1", missing[0]);
        assertTrue(missing[2].contains("--model: not a directory"), missing[2]);
        Path empty = Files.createDirectories(dir.resolve("empty"));
        String[] noConfig = run("probe", "--model", empty.toString());
        assertEquals("1", noConfig[0]);
        assertTrue(noConfig[2].contains("--model: ") && noConfig[2].contains("config.json: not found"), noConfig[2]);
        String[] folder = run("probe", "--model", model.toString(), "--json", dir.toString());
        assertEquals("1", folder[0]);
        assertTrue(folder[2].contains("--json: expected a file"), folder[2]);
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }
}
