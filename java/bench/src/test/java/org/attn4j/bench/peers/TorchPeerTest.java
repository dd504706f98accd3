package org.attn4j.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.attn4j.ProviderRegistry;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.bench.BenchOptions;
import org.attn4j.bench.BenchRunner;
import org.attn4j.bench.results.BenchDocument;
import org.attn4j.bench.results.BenchRow;
import org.attn4j.bench.results.JsonCodec;
import org.attn4j.bench.results.RowStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PyTorch peer. Without torch (this project's CI) it must say so and exit 3; with torch installed it runs its CPU
 * path on a tiny plan: no row may be wrong, and SDPA's math backend and the eager peer must run.
 */
class TorchPeerTest {

    @BeforeEach
    void needsNumpy() {
        String why = PythonPeers.unavailableReason();
        assumeTrue(why == null, () -> "skipped: " + why);
    }

    @Test
    void scriptsCompile(@TempDir Path dir) throws IOException {
        Path scripts = PeerScripts.extractTo(dir);
        List<String> cmd = new ArrayList<>(List.of("python3", "-m", "py_compile"));
        for (String f : PeerScripts.FILES) {
            cmd.add(scripts.resolve(f).toString());
        }
        assertEquals(0, run(cmd, dir.resolve("log.txt")), Files.readString(dir.resolve("log.txt")));
    }

    @Test
    void reportsItselfOrRunsOnTheCpu(@TempDir Path dir) throws IOException {
        boolean torch = run(List.of("python3", "-c", "import torch"), dir.resolve("probe.txt")) == 0;
        Path shapes = dir.resolve("s.csv");
        Files.writeString(shapes, "name,batch,heads,kv_heads,seq,head_dim,block,masks\n"
                + "tiny,1,2,1,64,16,16,dense;causal;document;block_topk;token_topk:8;sparsemax\n");
        BenchOptions o = new BenchOptions();
        o.shapes.add(shapes.toString());
        o.noProviders = true;
        o.planOut = dir.resolve("plan.json");
        o.warmup = 0;
        o.minReps = 1;
        o.maxReps = 2;
        o.targetSeconds = 0.0;
        o.progress = false;
        o.table = false;
        o.rotateBytes = 0;
        new BenchRunner(ProviderRegistry.of(new ReferenceProvider()), new ReferenceProvider(),
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(new StringWriter(), true)).run(o);
        Path script = PeerScripts.extractTo(dir.resolve("py")).resolve("torch_peer.py");
        Path out = dir.resolve("torch-cpu.json");
        int code = run(List.of("python3", script.toString(), "--plan", o.planOut.toString(), "--device", "cpu",
                "--flex", "--out", out.toString()), dir.resolve("log.txt"));
        String log = Files.readString(dir.resolve("log.txt"));
        BenchDocument doc = JsonCodec.read(out);
        if (!torch) {
            assertEquals(PeerRunner.EXIT_UNAVAILABLE, code, log);
            assertEquals("skipped", doc.peers().get(0).status());
            assertTrue(doc.peers().get(0).note().contains("not installed"), doc.peers().get(0).note());
            assertTrue(doc.rows().isEmpty());
            return;
        }
        assertEquals(0, code, log);
        assertEquals("ok", doc.peers().get(0).status());
        // Never a wrong result; the math backend and the eager peer always run (FlexAttention on a CPU may not).
        for (BenchRow r : doc.rows()) {
            assertNotEquals(RowStatus.FAILED_CHECK, r.status(), r.implementation() + " " + r.maskDetail() + " "
                    + r.direction() + ": " + r.note());
            boolean mustRun = r.direction().equals("forward") && (r.implementation().equals("sdpa-math")
                    && (r.mask().equals("dense") || r.mask().equals("causal"))
                    || r.implementation().equals("eager") && (r.mask().equals("token_topk")
                    || r.mask().equals("sparsemax")));
            if (mustRun) {
                assertEquals(RowStatus.OK, r.status(), r.implementation() + " " + r.maskDetail() + ": " + r.note());
            }
        }
    }

    @Test
    void benchShowsWhyAPeerDidNotRun(@TempDir Path dir) throws IOException {
        Path shapes = dir.resolve("s.csv");
        Files.writeString(shapes, "batch,heads,seq,head_dim,block,masks\n1,1,32,8,16,causal\n");
        BenchOptions o = new BenchOptions();
        o.shapes.add(shapes.toString());
        o.noProviders = true;
        o.peers.add("torch");
        o.python = "python3";
        o.progress = false;
        o.table = false;
        o.warmup = 0;
        o.minReps = 1;
        o.maxReps = 1;
        BenchDocument doc = new BenchRunner(ProviderRegistry.of(), new ReferenceProvider(),
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(new StringWriter(), true)).run(o);
        assertEquals(2, doc.peers().size(), "torch on cuda and on cpu: " + doc.peers());
        for (var p : doc.peers()) {
            assertNotEquals("failed", p.status(), p.toString());
        }
        o.python = dir.resolve("no-such-python").toString();
        BenchDocument none = new BenchRunner(ProviderRegistry.of(), new ReferenceProvider(),
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(new StringWriter(), true)).run(o);
        assertEquals("skipped", none.peers().get(0).status());
        assertTrue(none.peers().get(0).note().startsWith("cannot start"), none.peers().get(0).note());
    }

    private static int run(List<String> cmd, Path log) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        return p.exitValue();
    }
}
