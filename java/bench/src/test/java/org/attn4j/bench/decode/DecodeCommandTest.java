package org.attn4j.bench.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.attn4j.bench.results.JsonCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code attn4j decode}: mask specs, the rows it writes (kept keys, bytes), and the NumPy peer on the same cache. */
class DecodeCommandTest {

    @Test
    void maskSpecsParseAndNameWhatIsWrong() {
        DecodeMaskSpec w = DecodeMaskSpec.parse("window:1024,16");
        assertEquals(1024, w.windowLeft());
        assertEquals(16, w.globalTokens());
        DecodeMaskSpec b = DecodeMaskSpec.parse("blocktopk:8,32");
        assertEquals(8, b.blocksFor(100_000));
        assertEquals(32, b.blockSize());
        DecodeMaskSpec p = DecodeMaskSpec.parse("blocktopk:10%");
        assertEquals(64, p.blockSize());
        // 512 blocks at 32768: 10% is 51 blocks, of which one is the query's own.
        assertEquals(50, p.blocksFor(32768));
        assertEquals(1, p.blocksFor(64));
        DecodeMaskSpec c = DecodeMaskSpec.parse("window:256+blocktopk:4,16+tokentopk:32");
        assertEquals(256, c.windowLeft());
        assertEquals(4, c.blocksFor(1));
        assertEquals(32, c.tokenTopK());
        assertTrue(DecodeMaskSpec.parse("dense").isDense());
        for (String bad : new String[] {"", "windows:3", "window", "window:-1", "blocktopk:0", "blocktopk:0%",
            "blocktopk:150%", "tokentopk:x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DecodeMaskSpec.parse(bad));
            assertTrue(e.getMessage().startsWith("mask: "), e.getMessage());
        }
    }

    @Test
    void badFlagsAreRefusedByNameBeforeAnythingIsMeasured() {
        String[][] cases = {
            {"--batch", "0"}, {"--heads", "0"}, {"--kv-heads", "0"}, {"--dim", "0"}, {"--heads", "3"},
            {"--normalizer", "foo"}, {"--dtype", "int8"}, {"--mask", "foo"}, {"--repeat", "0"}, {"--warmup", "-1"},
            {"--seconds", "-1"}, {"--warmup-seconds", "NaN"}, {"--context", "2000000000"}};
        for (String[] bad : cases) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            String[] args = {"--context", "64", "--peers", "none", bad[0], bad[1]}; // --heads 3: the default 2 kv heads
            int code = new CommandLine(new DecodeCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                    .execute(args);
            String text = err.toString();
            assertTrue(code != 0, String.join(" ", bad));
            assertTrue(text.contains(bad[0] + ": "), String.join(" ", bad) + ": " + text);
            assertTrue(!text.contains("copy bandwidth"), String.join(" ", bad) + ": " + text);
        }
    }

    private static JsonNode run(Path dir, String contexts, String... extra) throws Exception {
        Path json = dir.resolve("decode.json");
        Path png = dir.resolve("decode.png");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] base = {"--context", contexts, "--heads", "4", "--kv-heads", "2", "--dim", "8", "--warmup", "0",
            "--repeat", "2", "--seconds", "0", "--warmup-seconds", "0", "--mask", "dense", "window:15,2",
            "blocktopk:1,16", "tokentopk:8", "--copy-mib", "8", "--json", json.toString(), "--png", png.toString(),
            "--work", dir.resolve("work").toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        int code = new CommandLine(new DecodeCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
        assertEquals(0, code, err.toString());
        assertTrue(Files.size(png) > 1000);
        assertTrue(Files.size(dir.resolve("decode-relative.png")) > 1000);
        assertTrue(out.toString().contains("ms/token"), out.toString());
        return JsonCodec.mapper().readTree(json.toFile());
    }

    @Test
    void rowsCarryTheKeptKeysAndTheBytesEveryStepReads(@TempDir Path dir) throws Exception {
        JsonNode doc = run(dir, "64,200", "--peers", "none", "--runs", "2");
        assertEquals("attn4j-decode/1", doc.path("schema").asText());
        assertTrue(doc.path("copy_bandwidth").path("all_threads_gbps").asDouble() > 0);
        JsonNode rows = doc.path("rows");
        assertEquals(8, rows.size());
        for (JsonNode r : rows) {
            int n = r.path("context").asInt();
            String mask = r.path("mask").asText();
            double kept = r.path("kept_fraction").asDouble();
            long bytes = r.path("bytes_per_token").asLong();
            assertTrue(r.path("ms_per_token").asDouble() > 0);
            // kv heads 2, D = Dv = 8, floats: a fully read cache is 2 * n * 16 * 4 bytes.
            switch (mask) {
                case "dense":
                    assertEquals(1.0, kept, 0);
                    assertEquals(2L * n * 16 * 4, bytes);
                    assertEquals(1.0, r.path("vs_dense").asDouble(), 0);
                    break;
                case "window:15,2":
                    assertEquals(Math.min(n, 18) / (double) n, kept, 1e-12);
                    assertEquals(2L * Math.min(n, 18) * 16 * 4, bytes);
                    break;
                case "blocktopk:1,16":
                    // The own block (n = 64: 48..63; n = 200: 192..199) and one more block of 16.
                    assertEquals((n == 64 ? 32 : 24) / (double) n, kept, 1e-12);
                    assertTrue(bytes >= 2L * (n == 64 ? 32 : 24) * 16 * 4, bytes + " bytes");
                    break;
                case "tokentopk:8":
                    assertEquals(8.0 / n, kept, 1e-12);
                    // Every key is scored; values only for at most 2 query heads x 8 keys per kv head.
                    assertTrue(bytes <= 2L * (n * 8 + 16 * 8) * 4 && bytes >= 2L * n * 8 * 4, bytes + " bytes");
                    break;
                default:
                    throw new AssertionError(mask);
            }
            assertTrue(r.path("numpy_ms").isNull(), "no peer asked for, no peer time");
        }
    }

    @Test
    void theNumpyPeerComputesTheSameStepsOnTheSameCache(@TempDir Path dir) throws Exception {
        String why = org.attn4j.bench.peers.PeerScripts.FILES.contains(NumpyDecodePeer.SCRIPT)
                ? numpyMissing() : "script not packaged";
        assumeTrue(why == null, why);
        JsonNode rows = run(dir, "200", "--peers", "numpy").path("rows");
        for (JsonNode r : rows) {
            assertTrue(r.path("numpy_ms").asDouble() > 0, r.toString());
            assertTrue(r.path("numpy_rel_error").asDouble() < 1e-5, r.toString());
        }
    }

    private static String numpyMissing() {
        try {
            Process p = new ProcessBuilder(List.of("python3", "-c", "import numpy")).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? null : "python3 cannot import numpy";
        } catch (Exception e) {
            return "no python3: " + e.getMessage();
        }
    }
}
