package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.attn4j.ProviderRegistry;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.bench.results.BenchDocument;
import org.attn4j.bench.results.BenchRow;
import org.attn4j.bench.results.JsonCodec;
import org.attn4j.bench.results.RowStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end runs on tiny shapes with fake providers. */
class BenchRunnerTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private BenchRunner runner(ProviderRegistry registry) {
        return new BenchRunner(registry, new ReferenceProvider(), new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    }

    @Test
    void everyMaskForwardAndBackwardWithOutputs(@TempDir Path dir) throws IOException {
        FakeProvider fake = FakeProvider.exact("fast");
        BenchOptions o = TestShapes.fast(TestShapes.csv(dir, "all"));
        o.json = dir.resolve("r.json");
        o.csv = dir.resolve("r.csv");
        o.report = dir.resolve("report");
        o.table = true;
        BenchDocument doc = runner(ProviderRegistry.of(fake, new ReferenceProvider())).run(o);
        assertEquals(24, doc.rows().size(), "12 masks x forward and backward");
        for (BenchRow r : doc.rows()) {
            assertEquals("fast", r.provider(), "reference is left out when another provider is available");
            assertEquals(RowStatus.OK, r.status(), r.configId() + " " + r.direction() + ": " + r.note());
            assertTrue(r.check().relError() <= r.check().tolerance());
            assertTrue(r.timeMs().reps() >= 1 && r.timeMs().reps() <= 2);
            assertTrue(r.tflops() > 0 && r.denseEquivTflops() >= r.tflops());
            assertEquals("host-wall", r.timeMs().timer());
            assertEquals("cpu", r.scale());
        }
        BenchRow bwd = doc.rows().stream().filter(r -> r.direction().equals("backward")).findFirst().orElseThrow();
        assertEquals(2.5, bwd.work().flops() / doc.rows().get(0).work().flops(), 1e-12);
        assertTrue(fake.backwardCalls.get() > 0);
        assertEquals(doc, JsonCodec.read(o.json));
        assertEquals(25, Files.readAllLines(o.csv).size());
        assertTrue(Files.isRegularFile(o.report.resolve("index.html")));
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("block_sparse(20%)"), table);
        assertEquals(0, org.attn4j.bench.cli.BenchCommand.exitStatus(doc));
    }

    @Test
    void aWrongProviderIsMarkedFailedAndNotTimed(@TempDir Path dir) throws IOException {
        FakeProvider wrong = new FakeProvider("wrong", 50, o -> {
            o[o.length / 2] += 1e-3f;
            return o;
        }, false);
        FakeProvider nan = new FakeProvider("nan", 40, o -> {
            o[0] = Float.NaN;
            return o;
        }, false);
        BenchOptions o = TestShapes.fast(TestShapes.csv(dir, "dense;block_topk"));
        BenchDocument doc = runner(ProviderRegistry.of(wrong, nan)).run(o);
        List<BenchRow> forward = doc.rows().stream().filter(r -> r.direction().equals("forward"))
                .collect(Collectors.toList());
        assertEquals(4, forward.size());
        for (BenchRow r : forward) {
            assertEquals(RowStatus.FAILED_CHECK, r.status(), r.provider() + " " + r.maskDetail());
            assertNull(r.timeMs(), "a failed row reports no speed");
            assertNull(r.tflops());
            assertTrue(r.note().startsWith("reference check failed"), r.note());
        }
        BenchRow w = forward.get(0);
        assertTrue(w.check().relError() > w.check().tolerance(), "the measured error is recorded");
        assertNull(forward.get(2).check().relError(), "NaN recorded as no error value");
        assertTrue(forward.get(2).note().contains("non-finite"), forward.get(2).note());
        assertEquals(2, wrong.forwardCalls.get(), "one check call per mask, no timing calls");
        doc.rows().stream().filter(r -> r.direction().equals("backward")).forEach(r -> {
            assertEquals(RowStatus.UNSUPPORTED, r.status());
            assertTrue(r.note().contains("backward"), r.note());
        });
        assertEquals(1, org.attn4j.bench.cli.BenchCommand.exitStatus(doc));
    }

    @Test
    void theSpoiledRowIsOnlyCaughtWhereTheSampleLooks(@TempDir Path dir) throws IOException {
        // A provider wrong on every row must fail however the sample is drawn.
        FakeProvider everywhere = new FakeProvider("everywhere", 50, o -> {
            for (int i = 0; i < o.length; i++) {
                o[i] *= 1.001f;
            }
            return o;
        }, true);
        BenchOptions o = TestShapes.fast(TestShapes.csv(dir, "causal;sliding_window;document;token_topk"));
        o.direction = "forward";
        for (BenchRow r : runner(ProviderRegistry.of(everywhere)).run(o).rows()) {
            assertEquals(RowStatus.FAILED_CHECK, r.status(), r.maskDetail());
        }
    }

    @Test
    void providerSelection(@TempDir Path dir) throws IOException {
        BenchOptions o = TestShapes.fast(TestShapes.csv(dir, "causal"));
        o.direction = "forward";
        BenchDocument onlyReference = runner(ProviderRegistry.of(new ReferenceProvider())).run(o);
        assertEquals("reference", onlyReference.rows().get(0).provider(), "the best one when nothing else");
        FakeProvider a = FakeProvider.exact("a");
        FakeProvider b = FakeProvider.exact("b");
        BenchOptions named = TestShapes.fast(TestShapes.csv(dir, "causal"));
        named.direction = "forward";
        named.providers = List.of("b,reference");
        List<String> names = runner(ProviderRegistry.of(a, b, new ReferenceProvider())).run(named).rows().stream()
                .map(BenchRow::provider).distinct().collect(Collectors.toList());
        assertEquals(List.of("b", "reference"), names);
        named.providers = List.of("nope");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> runner(ProviderRegistry.of(a)).run(named));
        assertTrue(e.getMessage().contains("unknown name 'nope'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> runner(ProviderRegistry.of()).run(o));
    }

    @Test
    void aProviderNamedAsPeerIsMeasuredAsAPeerInTheSameRun(@TempDir Path dir) throws IOException {
        FakeProvider mine = FakeProvider.exact("mine");
        FakeProvider theirs = FakeProvider.exact("theirs");
        BenchOptions o = TestShapes.fast(TestShapes.csv(dir, "dense;causal"));
        o.direction = "forward";
        o.peers = List.of("theirs");
        BenchDocument doc = runner(ProviderRegistry.of(mine, theirs, new ReferenceProvider())).run(o);
        List<BenchRow> peerRows = doc.rows().stream().filter(BenchRow::isPeer).collect(Collectors.toList());
        List<BenchRow> ours = doc.rows().stream().filter(r -> !r.isPeer()).collect(Collectors.toList());
        assertEquals(2, peerRows.size(), doc.rows().toString());
        assertTrue(peerRows.stream().allMatch(r -> r.provider().equals("theirs") && r.status() == RowStatus.OK));
        assertEquals(List.of("mine"), ours.stream().map(BenchRow::provider).distinct().collect(Collectors.toList()),
                "a peer is not also measured as a provider");
        assertTrue(ours.stream().allMatch(r -> r.vsPeer() != null), "ratios against the peer's rows");
        assertEquals("ok", doc.peers().get(0).status());

        o.peers = List.of("nobody");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> runner(ProviderRegistry.of(mine)).run(o));
        assertTrue(e.getMessage().startsWith("peers: unknown peer 'nobody'"), e.getMessage());
    }

    @Test
    void budgetSkipsRowsButStillReports(@TempDir Path dir) throws IOException {
        BenchOptions o = TestShapes.fast(TestShapes.csv(dir, "dense;causal"));
        o.budgetSeconds = 1e-9;
        o.report = dir.resolve("report");
        BenchDocument doc = runner(ProviderRegistry.of(FakeProvider.exact("f"))).run(o);
        assertTrue(doc.rows().stream().allMatch(r -> r.status() == RowStatus.SKIPPED));
        assertTrue(doc.rows().get(0).note().contains("time budget"));
        assertTrue(Files.isRegularFile(o.report.resolve("index.html")));
        assertEquals(0.0, doc.settings().budgetSeconds(), 1e-6);
    }

    @Test
    void deviceHooksTimeWithTheProvidersTimer(@TempDir Path dir) throws IOException {
        HooksProvider p = new HooksProvider();
        BenchOptions o = TestShapes.fast(TestShapes.csv(dir, "causal"));
        o.scale = "cpu";
        o.direction = "forward";
        BenchDocument doc = runner(ProviderRegistry.of(p)).run(o);
        BenchRow r = doc.rows().get(0);
        assertEquals(RowStatus.OK, r.status(), r.note());
        assertEquals("device-events", r.timeMs().timer());
        assertTrue(p.timerStarts.get() >= r.timeMs().reps());
        assertTrue(p.allocations.get() >= 4, "inputs and output allocated through the hooks");
        assertTrue(p.syncs.get() >= 1);
        assertEquals("Fake GPU", doc.environment().device());
        assertEquals("999.1", doc.environment().driver());
        assertTrue(r.device().contains("Fake GPU"));
        assertNotNull(r.check());
    }

    @Test
    void invalidOptionsNameTheOption(@TempDir Path dir) throws IOException {
        BenchOptions o = TestShapes.fast(TestShapes.csv(dir, "causal"));
        o.direction = "sideways";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> runner(ProviderRegistry.of(FakeProvider.exact("f"))).run(o));
        assertTrue(e.getMessage().startsWith("direction:"), e.getMessage());
        BenchOptions d = TestShapes.fast(TestShapes.csv(dir, "causal"));
        d.dtypes = List.of("fp64");
        e = assertThrows(IllegalArgumentException.class, () -> runner(ProviderRegistry.of(FakeProvider.exact("f")))
                .run(d));
        assertTrue(e.getMessage().startsWith("dtype:"), e.getMessage());
    }
}
