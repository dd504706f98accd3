package org.attn4j.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.ProviderRegistry;
import org.attn4j.Tensor;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.bench.BenchOptions;
import org.attn4j.bench.BenchRunner;
import org.attn4j.bench.results.BenchDocument;
import org.attn4j.bench.results.BenchRow;
import org.attn4j.bench.results.JsonCodec;
import org.attn4j.bench.results.RowStatus;
import org.attn4j.bench.timing.RepetitionPolicy;
import org.attn4j.bench.workload.MaskSpec;
import org.attn4j.bench.workload.Scale;
import org.attn4j.bench.workload.Shape;
import org.attn4j.bench.workload.Workload;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NumPy peer: its output parses, merges and yields ratios; its float64 semantics equal attn4j's reference. */
class NumpyPeerTest {

    @BeforeEach
    void needsNumpy() {
        String why = PythonPeers.unavailableReason();
        assumeTrue(why == null, () -> "skipped: " + why);
    }

    @Test
    void scriptsAreOnTheClassPath(@TempDir Path dir) throws IOException {
        Path scripts = PeerScripts.extractTo(dir);
        for (String f : PeerScripts.FILES) {
            assertTrue(Files.size(scripts.resolve(f)) > 1000, f);
        }
    }

    @Test
    void runsMergesAndComparesWithTheProvider(@TempDir Path dir) throws IOException {
        Path shapes = dir.resolve("s.csv");
        Files.writeString(shapes, "name,batch,heads,kv_heads,seq,head_dim,block,masks\n"
                + "tiny,1,2,1,64,16,16,dense;causal;document;block_sparse:25;block_topk;token_topk:8;sparsemax;"
                + "entmax15\n");
        BenchOptions o = new BenchOptions();
        o.shapes.add(shapes.toString());
        o.warmup = 0;
        o.minReps = 1;
        o.maxReps = 2;
        o.targetSeconds = 0.0;
        o.progress = false;
        o.table = false;
        o.rotateBytes = 0;
        o.peers.add("numpy");
        o.planOut = dir.resolve("plan.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        BenchDocument doc = new BenchRunner(ProviderRegistry.of(new ReferenceProvider()), new ReferenceProvider(),
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true)).run(o);
        assertEquals("ok", doc.peers().get(0).status(), err.toString(StandardCharsets.UTF_8));
        // The plan holds the file's shape once with the types of both scales (fp32 for CPUs, bf16 for GPUs).
        List<BenchRow> numpy = doc.rows().stream().filter(BenchRow::isPeer).toList();
        assertEquals(32, numpy.size(), "8 masks x forward and backward x fp32 and bf16");
        for (BenchRow r : numpy) {
            if (r.direction().equals("forward") && r.dtype().equals("fp32")) {
                assertEquals(RowStatus.OK, r.status(), r.maskDetail() + ": " + r.note());
                assertTrue(r.check().relError() < 1e-5, r.maskDetail() + " " + r.check());
                assertTrue(r.tflops() > 0);
                assertEquals("numpy", r.provider());
                assertEquals("cpu", r.deviceKind());
            } else {
                assertEquals(RowStatus.UNSUPPORTED, r.status());
            }
        }
        // The same configurations, hence the same P for static masks, and a ratio on every attn4j forward row.
        for (BenchRow mine : doc.rows()) {
            if (mine.isPeer() || !mine.direction().equals("forward")) {
                continue;
            }
            BenchRow peer = numpy.stream().filter(r -> r.configId().equals(mine.configId())
                    && r.direction().equals("forward") && r.dtype().equals("fp32")).findFirst().orElseThrow();
            if (!mine.maskDetail().contains("topk")) {
                assertEquals(mine.work().allowedPairs(), peer.work().allowedPairs(), mine.maskDetail());
            }
            assertNotNull(mine.vsPeer(), mine.maskDetail());
            assertEquals(mine.tflops() / peer.tflops(), mine.vsPeer().ratio(), 1e-9);
        }
        // The plan written for separate runs parses back and the script's output reads as a document.
        Path out = dir.resolve("numpy.json");
        Process p = new ProcessBuilder("python3", PeerScripts.extractTo(dir.resolve("py")).resolve("numpy_peer.py")
                .toString(), "--plan", o.planOut.toString(), "--scale", "cpu", "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        assertTrue(waitFor(p), "numpy peer finished");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("log.txt")));
        BenchDocument peerDoc = JsonCodec.read(out);
        assertEquals(32, peerDoc.rows().size());
        assertEquals("numpy_peer.py", peerDoc.generator());
        assertNotNull(peerDoc.environment().software().get("numpy"));
    }

    @Test
    void peerFloat64SemanticsEqualTheReference(@TempDir Path dir) throws IOException {
        // Each mask on shapes that exercise alignment (Nq != Nk), GQA and partial tiles.
        List<Shape> shapes = List.of(
                new Shape("t", Scale.CPU, 2, 2, 1, 48, 48, 8, 4, 16, MaskSpec.gymDefaults()),
                new Shape("t", Scale.CPU, 1, 2, 2, 40, 72, 8, 8, 16, List.of(MaskSpec.parse("causal"),
                        MaskSpec.parse("sliding_window:10"), MaskSpec.parse("block_sparse:40"),
                        MaskSpec.parse("block_topk:2"), MaskSpec.parse("token_topk:7"))));
        List<Workload> workloads = Workload.expand(shapes, new ArrayList<>());
        List<PeerPlan.Entry> entries = new ArrayList<>();
        for (Workload w : workloads) {
            entries.add(new PeerPlan.Entry(w, "cpu", List.of("fp32"), List.of("forward")));
        }
        PeerPlan plan = PeerPlan.of(entries, true, RepetitionPolicy.QUICK, 0, 0, 2);
        List<Map<String, Object>> cases = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        ReferenceProvider ref = new ReferenceProvider();
        SplittableRandom rnd = new SplittableRandom(5);
        for (int c = 0; c < workloads.size(); c++) {
            Workload w = workloads.get(c);
            Shape s = w.shape();
            float[] q = gaussian(rnd, s.batch() * s.headsQ() * s.seqQ() * s.headDim());
            float[] k = gaussian(rnd, s.batch() * s.headsKv() * s.seqK() * s.headDim());
            float[] v = gaussian(rnd, s.batch() * s.headsKv() * s.seqK() * s.valueDim());
            try (Tensor tq = Tensor.of(q, s.batch(), s.headsQ(), s.seqQ(), s.headDim());
                 Tensor tk = Tensor.of(k, s.batch(), s.headsKv(), s.seqK(), s.headDim());
                 Tensor tv = Tensor.of(v, s.batch(), s.headsKv(), s.seqK(), s.valueDim());
                 AttentionResult r = ref.forward(w.mask().applyTo(AttentionRequest.builder(tq, tk, tv)).build())) {
                expected.add(r.output().toFloatArray());
            }
            Map<String, Object> job = new LinkedHashMap<>();
            job.put("config", plan.configs().get(c));
            job.put("q", q);
            job.put("k", k);
            job.put("v", v);
            cases.add(job);
        }
        Path in = dir.resolve("in.json");
        Path out = dir.resolve("out.json");
        JsonCodec.write(Map.of("cases", cases), in);
        Path helper = dir.resolve("peer_semantics.py");
        try (var res = NumpyPeerTest.class.getResourceAsStream("/peer_semantics.py")) {
            Files.copy(res, helper);
        }
        Path scripts = PeerScripts.extractTo(dir.resolve("py"));
        Process p = new ProcessBuilder("python3", helper.toString(), scripts.toString(), in.toString(),
                out.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        assertTrue(waitFor(p));
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("log.txt")));
        double[][] got = JsonCodec.mapper().readValue(out.toFile(), double[][].class);
        for (int c = 0; c < workloads.size(); c++) {
            float[] e = expected.get(c);
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < e.length; i++) {
                diff += (got[c][i] - e[i]) * (got[c][i] - e[i]);
                norm += (double) e[i] * e[i];
            }
            assertTrue(Math.sqrt(diff / norm) < 1e-6, workloads.get(c).id() + ": " + Math.sqrt(diff / norm));
        }
    }

    private static boolean waitFor(Process p) {
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static float[] gaussian(SplittableRandom rnd, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) rnd.nextGaussian();
        }
        return out;
    }
}
