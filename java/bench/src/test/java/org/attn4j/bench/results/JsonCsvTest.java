package org.attn4j.bench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonCsvTest {

    static BenchRow row(String provider, String kind, String impl, String config, double median, Double tflops,
                        RowStatus status) {
        return new BenchRow(provider, kind, impl, "cpu: test", "cpu", config, "fa", "cpu",
                new ShapeDims(4, 8, 8, 256, 256, 64, 64), "causal", "causal", "softmax", "fp32", "forward", status,
                status == RowStatus.OK ? "" : "why, \"quoted\"",
                status == RowStatus.OK ? new TimeStats(median, median * 0.9, median * 1.5, median * 1.1, 10, 3,
                        "host-wall") : null,
                new WorkCount(1000, 2000, 0.5, 256000, 512000), tflops, tflops == null ? null : tflops * 2,
                new Accuracy(1.5e-7, 1e-5, "b0 h0 rows 0..64 keys 0..256"), null);
    }

    static BenchDocument document(List<BenchRow> rows) {
        Environment env = new Environment("2026-01-01T00:00:00Z", "abc123", "cpu: test", null, null, "OpenJDK 17",
                "Linux", "test cpu", 2, Map.of("numpy", "2.0"), List.of("reference (priority 0): available - x"));
        Settings settings = new Settings(true, List.of("fa", "gym"), List.of("default"), List.of("fp32"), "note", 1, 3,
                10, 1.0, 75, 256L << 20);
        return new BenchDocument(BenchDocument.SCHEMA, "test", env, settings,
                List.of(new PeerStatus("numpy", "ok", "")), rows);
    }

    @Test
    void jsonRoundTripKeepsEveryField() throws IOException {
        BenchDocument doc = document(List.of(
                row("cpu", "attn4j", "Impl", "fa/x/causal", 2.0, 0.128, RowStatus.OK)
                        .withVsPeer(new PeerRatio("numpy/full-scores", 0.05, 2.56)),
                row("cpu", "attn4j", "Impl", "fa/x/dense", 2.0, null, RowStatus.FAILED_CHECK)));
        String json = JsonCodec.toJson(doc);
        BenchDocument back = JsonCodec.parse(json, "test");
        assertEquals(doc, back);
        JsonNode tree = JsonCodec.mapper().readTree(json);
        JsonNode r = tree.get("rows").get(0);
        for (String field : List.of("provider", "kind", "implementation", "device", "device_kind", "config_id",
                "shape_set", "scale", "shape", "mask", "mask_detail", "normalizer", "dtype", "direction", "status",
                "note", "time_ms", "work", "tflops", "dense_equiv_tflops", "check", "vs_peer")) {
            assertTrue(r.has(field), "row field " + field);
        }
        assertEquals(8, r.get("shape").get("heads_q").asInt());
        assertEquals(2.0, r.get("time_ms").get("median").asDouble());
        assertEquals("ok", r.get("status").asText());
        assertEquals("failed_check", tree.get("rows").get(1).get("status").asText());
        assertTrue(tree.get("rows").get(1).get("time_ms").isNull());
        assertEquals(2.56, r.get("vs_peer").get("ratio").asDouble());
        for (String field : List.of("date", "commit", "device", "driver", "cuda", "jvm", "os", "cpu", "cpu_threads")) {
            assertTrue(tree.get("environment").has(field), "environment field " + field);
        }
        assertEquals("attn4j-bench/1", tree.get("schema").asText());
    }

    @Test
    void readsPythonStyleDocumentsAndRejectsOtherSchemas() throws IOException {
        String py = "{\"schema\": \"attn4j-bench/1\", \"generator\": \"numpy_peer.py\", \"environment\": null,"
                + " \"settings\": null, \"peers\": [{\"name\": \"numpy\", \"status\": \"skipped\", \"note\": \"x\"}],"
                + " \"rows\": [], \"extra_field_from_newer_writer\": 1}";
        BenchDocument d = JsonCodec.parse(py, "py");
        assertEquals("skipped", d.peers().get(0).status());
        assertNull(d.environment());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JsonCodec.parse("{\"schema\": \"other/2\"}", "f.json"));
        assertEquals("f.json: expected schema 'attn4j-bench/1', got 'other/2'", e.getMessage());
    }

    @Test
    void csvHasOneLinePerRowAndQuotes() {
        List<BenchRow> rows = List.of(row("cpu", "attn4j", "Impl", "fa/x/causal", 2.0, 0.128, RowStatus.OK),
                row("numpy", "peer", "full-scores", "fa/x/causal", 4.0, null, RowStatus.ERROR));
        String csv = CsvWriter.toCsv(rows);
        String[] lines = csv.split("\n");
        assertEquals(3, lines.length);
        assertEquals(String.join(",", CsvWriter.HEADER), lines[0]);
        assertTrue(lines[1].startsWith("cpu,attn4j,Impl,cpu: test,cpu,fa/x/causal,fa,cpu,4,8,8,256,256,64,64,causal,"),
                lines[1]);
        assertTrue(lines[1].contains(",ok,,2.00000,1.80000,3.00000,"), lines[1]);
        assertTrue(lines[2].contains(",error,\"why, \"\"quoted\"\"\","), lines[2]);
        // Every line has as many cells as the header (quoted commas aside).
        assertEquals(CsvWriter.HEADER.size(), lines[1].split(",", -1).length);
    }

    @Test
    void peerRatiosPickTheFastestPeerOfTheSameKind() {
        BenchRow mine = row("cpu", "attn4j", "Impl", "fa/x/causal", 2.0, 1.0, RowStatus.OK);
        BenchRow slow = row("numpy", "peer", "a", "fa/x/causal", 8.0, 0.25, RowStatus.OK);
        BenchRow fast = row("torch", "peer", "sdpa-math", "fa/x/causal", 4.0, 0.5, RowStatus.OK);
        BenchRow broken = row("torch", "peer", "b", "fa/x/causal", 1.0, 4.0, RowStatus.FAILED_CHECK);
        BenchRow other = row("torch", "peer", "c", "fa/x/dense", 1.0, 9.0, RowStatus.OK);
        List<BenchRow> out = PeerComparison.annotate(List.of(mine, slow, fast, broken, other));
        PeerRatio r = out.get(0).vsPeer();
        assertEquals("torch/sdpa-math", r.peer());
        assertEquals(2.0, r.ratio(), 1e-12);
        assertNull(out.get(1).vsPeer(), "peer rows get no ratio");
        BenchRow gpu = new BenchRow("cuda", "attn4j", "X", "gpu", "cuda", "fa/x/causal", "fa", "full",
                mine.shape(), "causal", "causal", "softmax", "fp32", "forward", RowStatus.OK, "", mine.timeMs(),
                mine.work(), 1.0, 1.0, null, null);
        assertNull(PeerComparison.annotate(List.of(gpu, fast)).get(0).vsPeer(), "no CPU peer for a GPU row");
    }
}
