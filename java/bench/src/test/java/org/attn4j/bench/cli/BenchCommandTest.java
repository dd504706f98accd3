package org.attn4j.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.attn4j.bench.BenchOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

    private static BenchOptions parse(String... args) {
        BenchCommand c = new BenchCommand();
        new CommandLine(c).parseArgs(args);
        return c.options();
    }

    @Test
    void optionsMapToTheOptionsObject() {
        BenchOptions o = parse("--provider", "cpu", "cuda", "--quick", "--shapes", "fa", "my.csv", "--masks",
                "causal,dense", "block_sparse_10", "--dtype", "bf16", "--json", "r.json", "--report", "out/x",
                "--peers", "numpy", "--merge", "a.json", "b.json", "--budget", "30", "--reps", "5", "--warmup", "2",
                "--rotate-mib", "64", "--no-progress", "--direction", "forward", "--scale", "cpu");
        assertEquals(List.of("cpu", "cuda"), o.providers);
        assertTrue(o.quick);
        assertEquals(List.of("fa", "my.csv"), o.shapes);
        assertEquals(List.of("causal,dense", "block_sparse_10"), o.masks);
        assertEquals(List.of("bf16"), o.dtypes);
        assertEquals(Path.of("r.json"), o.json);
        assertEquals(Path.of("out/x"), o.report);
        assertEquals(List.of("numpy"), o.peers);
        assertEquals(List.of(Path.of("a.json"), Path.of("b.json")), o.merge);
        assertEquals(30.0, o.budgetSeconds);
        assertEquals(5, o.maxReps);
        assertEquals(2, o.warmup);
        assertEquals(64L << 20, o.rotateBytes);
        assertFalse(o.progress);
        assertEquals("forward", o.direction);
        assertEquals("cpu", o.scale);
    }

    @Test
    void defaults() {
        BenchOptions o = parse();
        assertTrue(o.providers.isEmpty());
        assertFalse(o.quick);
        assertEquals(Path.of("out", "bench"), o.report);
        assertNull(o.json);
        assertNull(o.budgetSeconds);
        assertEquals("both", o.direction);
        assertNull(parse("--no-report").report);
        assertThrows(IllegalArgumentException.class, () -> parse("--max-sets", "0"));
        for (String[] bad : new String[][] {{"--peer-timeout", "-1"}, {"--peer-timeout", "0"}, {"--budget", "-1"},
            {"--budget", "Infinity"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(bad));
            assertTrue(e.getMessage().startsWith(bad[0].substring(2) + ": expected"), e.getMessage());
        }
        assertEquals(0.0, parse("--budget", "0").budgetSeconds);
    }

    @Test
    void runsThroughPicocliWithTheCallersStreams(@TempDir Path dir) throws java.io.IOException {
        Path shapes = dir.resolve("s.csv");
        java.nio.file.Files.writeString(shapes, "batch,heads,seq,head_dim,block,masks\n1,1,32,8,16,causal\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("--provider", "reference", "--shapes", shapes.toString(), "--no-report",
                "--warmup", "0", "--min-reps", "1", "--reps", "1", "--no-progress", "--json",
                dir.resolve("r.json").toString());
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("causal"), out.toString());
        assertTrue(out.toString().startsWith("provider"), out.toString());
        assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("r.json")));
        assertEquals(2, cl.execute("--provider", "reference", "--direction", "sideways"));
        assertTrue(err.toString().contains("bench: direction: expected forward, backward or both"), err.toString());
    }

    @Test
    void helpListsTheOptions() {
        StringWriter text = new StringWriter();
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setOut(new PrintWriter(text));
        assertEquals(0, cl.execute("--help"));
        for (String opt : List.of("--provider", "--quick", "--shapes", "--masks", "--dtype", "--json", "--report",
                "--peers", "--merge")) {
            assertTrue(text.toString().contains(opt), opt);
        }
    }
}
