package org.attn4j.cli.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.attn4j.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code attn4j generate} on a model small enough for a test: every mask runs, sparse ones attend fewer pairs. */
class GenerateCommandTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void generatesWithEveryMaskAndReportsTheShareOfAttention(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("g.json");
        String[] r = run("generate", "--tokens", "300", "--prompt", "8", "--layers", "1", "--d-model", "32",
                "--heads", "2", "--vocab", "16", "--warmup-tokens", "0", "--mask", "dense", "window:32,4",
                "blocktopk:2,16", "tokentopk:8", "--json", json.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        JsonNode rows = doc.path("rows");
        assertEquals(4, rows.size());
        for (JsonNode row : rows) {
            assertEquals("cpu", row.path("provider").asText());
            double share = row.path("attentionShare").asDouble(row.path("attention_share").asDouble());
            assertTrue(share > 0 && share < 1, row.toString());
            double density = row.path("density").asDouble();
            if (row.path("mask").asText().equals("dense")) {
                assertEquals(1.0, density, 0);
            } else {
                assertTrue(density < 0.5, row.toString());
            }
        }
        assertTrue(r[1].contains("tokens/s"), r[1]);
    }

    @Test
    void refusesBlockAndTokenTopKTogether() {
        String[] r = run("generate", "--tokens", "4", "--layers", "1", "--d-model", "8", "--heads", "2",
                "--mask", "blocktopk:1,4+tokentopk:2");
        assertEquals("1", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("block top-k or token top-k, not both"), r[2]);
    }

    @Test
    void badFlagsAreRefusedByNameBeforeTheTableStarts() {
        String[][] cases = {
            {"--tokens", "1"}, {"--prompt", "0"}, {"--layers", "0"}, {"--d-model", "0"}, {"--heads", "0"},
            {"--heads", "3"}, {"--vocab", "0"}, {"--batch", "0"}, {"--warmup-tokens", "-1"},
            {"--tokens", "2147483647"}, {"--vocab", "2000000000"}};
        for (String[] bad : cases) {
            String[] r = run("generate", bad[0], bad[1]); // --heads 3: the default --d-model 256
            assertEquals("1", r[0], String.join(" ", bad) + ": " + r[1] + r[2]);
            assertTrue(r[2].startsWith("attn4j generate: " + bad[0] + ": "), String.join(" ", bad) + ": " + r[2]);
            assertEquals("", r[1], String.join(" ", bad));
        }
    }
}
