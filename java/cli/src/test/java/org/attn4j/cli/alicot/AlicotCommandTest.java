package org.attn4j.cli.alicot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.attn4j.cli.Main;
import org.attn4j.model.alicot.AlicotPoint;
import org.attn4j.model.alicot.AlicotResult;
import org.attn4j.model.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code alicot} and {@code alicot-figures} end to end, and their errors naming the flag. */
class AlicotCommandTest {
    /** Depth 2 over 4 inputs: the explicit chain is learnt in a few thousand samples (seconds). */
    private static final String[] SMALL = {"alicot", "--inputs", "4", "--depth", "2", "--dim", "32", "--heads", "2",
        "--batch", "32", "--lr", "3e-3", "--eval-every", "512", "--eval-size", "128", "--timing-problems", "5",
        "--max-samples", "20000", "--threads", "2", "--seed", "0"};

    @TempDir
    Path dir;

    @Test
    void explicitRunReportsAccuracySampleComplexityDecodeStepsAndTime() throws IOException {
        Path json = dir.resolve("explicit.json");
        String[] r = run(with(SMALL, "--mode", "explicit", "--json", json.toString()));
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].startsWith("alicot inputs=4 depth=2 explicit: accuracy "), r[1]);
        assertTrue(r[2].contains("| accuracy "), "progress lines go to stderr:\n" + r[2]);
        JsonNode summary = new ObjectMapper().readTree(r[1].substring(r[1].indexOf('{')));
        JsonNode file = new ObjectMapper().readTree(json.toFile());
        for (String key : new String[] {"accuracy", "sample_complexity", "decode_steps", "ms_per_problem", "task"}) {
            assertTrue(summary.has(key), "summary has " + key);
            assertTrue(file.has(key), "JSON file has " + key);
        }
        assertTrue(file.get("accuracy").asDouble() >= 0.99, file.toString());
        assertEquals(5, file.get("decode_steps").asInt(), "the prompt's pass and four chain tokens");
        assertEquals(file.get("sample_complexity").asLong(), summary.get("sample_complexity").asLong());
        assertTrue(file.get("ms_per_problem").asDouble() > 0);
        assertTrue(file.get("history").size() >= 2);
    }

    @Test
    void badFlagsAreNamed() {
        assertError("attn4j alicot: --ratio: mode explicit has no latent tokens; use latent or aligned",
                "alicot", "--ratio", "2");
        assertError("attn4j alicot: --mode: expected none, explicit, latent or aligned, got 'cot'",
                "alicot", "--mode", "cot");
        assertError("attn4j alicot: --depth: at most 4 irreducible gates exist over 3 inputs, got 5",
                "alicot", "--inputs", "3", "--depth", "5");
        assertError("attn4j alicot: --fan-in: expected 2..8, got 1", "alicot", "--fan-in", "1");
        assertError("attn4j alicot: --max-samples: expected >= 1, got 0", "alicot", "--max-samples", "0");
        // Only known once the task is drawn: the chain of this task has 4 steps.
        assertError("attn4j alicot: --latents: aligned with ratio 1 over a chain of 4 steps needs 4 latent tokens,"
                + " got 5", with(SMALL, "--mode", "aligned", "--latents", "5"));
    }

    @Test
    void figuresAndSummaryFromAFolderOfResults() throws IOException {
        Path results = Files.createDirectories(dir.resolve("runs"));
        int i = 0;
        for (String mode : new String[] {"none", "explicit", "latent", "aligned"}) {
            for (int depth : new int[] {2, 4}) {
                boolean latent = mode.equals("latent") || mode.equals("aligned");
                double acc = mode.equals("explicit") || mode.equals("aligned") ? 1.0 : 0.5;
                Json.write(results.resolve("r" + i++ + ".json"), result(mode, depth, latent ? depth : 0, acc));
            }
        }
        String[] r = run("alicot-figures", "--results", results.toString(), "--out", dir.resolve("fig").toString());
        assertEquals("0", r[0], r[1] + r[2]);
        for (String png : new String[] {"alicot-depth.png", "alicot-cost.png", "alicot-probes.png"}) {
            assertTrue(Files.size(dir.resolve("fig").resolve(png)) > 10_000, png);
        }
        String table = Files.readString(dir.resolve("fig").resolve("summary.md"));
        assertEquals(2 + 8, table.lines().count(), table);
        assertTrue(table.contains("| 4 | 8 | aligned r=2 | 4 | 0 | 1.000 | 20000 | 5 |"), table);
        assertTrue(table.contains("| 2 | 4 | no CoT | 0 | 0 | 0.500 | > 100000 | 1 |"), table);

        Files.writeString(results.resolve("other.json"), "{\"n\": 20}");
        String[] bad = run("alicot-figures", "--results", results.toString());
        assertEquals("1", bad[0]);
        assertTrue(bad[2].startsWith("attn4j alicot-figures: --results: "), bad[2]);
        String[] empty = run("alicot-figures", "--results", Files.createDirectories(dir.resolve("empty")).toString());
        assertEquals("1", empty[0]);
        assertTrue(empty[2].contains("no *.json result in it"), empty[2]);
    }

    /** A made-up result (the figures only read it). */
    private static AlicotResult result(String mode, int depth, int latents, double accuracy) {
        int steps = 2 * depth;
        boolean converged = accuracy >= 0.99;
        double[][] probe = latents > 0 || mode.equals("explicit") ? new double[latents > 0 ? latents : steps][]
                : null;
        double[] own = probe == null ? null : new double[probe.length];
        if (probe != null) {
            for (int j = 0; j < probe.length; j++) {
                probe[j] = new double[steps + 1];
                Arrays.fill(probe[j], accuracy);
                own[j] = accuracy;
            }
        }
        int decode = 1 + (mode.equals("explicit") ? steps : latents);
        return new AlicotResult(8, depth, 2, mode, latents, latents > 0 ? 2 : 1, 0, "g0 = XOR(x0, x1)", steps,
                accuracy, null, null, converged, converged ? 20_000L : null, converged ? 20_000 : 100_000, 0.99,
                decode, 0.1 * decode, 0.1 * decode, 0.05, latents > 0 ? 0.1 * (1 + steps) : null,
                latents > 0 ? (1.0 + steps) / decode : null, 1.0, 200, probe, own, 2, 4, 64, 100_000, 1e-3, 64,
                100_000, 1024, 10, 9, 18, 5000, "cpu", 2, "2026-12-05T00:00:00Z", Map.of(), List.of(
                new AlicotPoint(0, null, 0.5), new AlicotPoint(4096, 0.69, accuracy)));
    }

    private static void assertError(String expected, String... args) {
        String[] r = run(args);
        assertEquals("1", r[0], r[1] + r[2]);
        assertEquals(expected, r[2].strip());
    }

    private static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(Arrays.asList(base));
        all.addAll(Arrays.asList(more));
        return all.toArray(new String[0]);
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }
}
