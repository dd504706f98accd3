package org.attn4j.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.attn4j.cli.Main;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

    @Test
    void smallDemoShowsEveryVariantAndAgreesWithTheReference() {
        String[] result = run("demo", "--part", "attention", "--seq", "192", "--heads", "4", "--kv-heads", "2", "--head-dim", "16",
                "--repeat", "1");
        assertEquals("0", result[0], result[1] + result[2]);
        String out = result[1];
        String best;
        try (org.attn4j.Tensor x = org.attn4j.Tensor.allocate(org.attn4j.DType.FP32, 1, 1, 1, 16)) {
            best = org.attn4j.Attention.select(org.attn4j.AttentionRequest.builder(x, x, x).build()).name();
        }
        assertTrue(out.contains("provider  " + best), out);
        assertTrue(out.contains("automatic selection"), out);
        assertTrue(out.contains("B=1 Hq=4 Hkv=2 N=192 D=Dv=16 fp32"), out);
        for (DemoVariant v : AttentionDemo.variants(new DemoShape("t", 1, 4, 2, 192, 16), 42)) {
            assertTrue(out.contains(v.name()), "variant " + v.name() + " missing:\n" + out);
        }
        assertEquals(7, out.lines().filter(l -> l.endsWith("  ok")).count(), out);
        assertFalse(out.contains("FAIL"), out);
        assertTrue(out.contains("Every variant that ran agrees with the float64 reference"), out);
        // dense keeps every pair: 1 x 4 heads x 192 x 192
        assertTrue(out.lines().anyMatch(l -> l.startsWith("dense ") && l.contains("147,456") && l.contains("100.0%")),
                out);
    }

    @Test
    void anotherProviderAndType() {
        // fp16 on the reference: the check runs at the half-precision tolerance.
        String[] result = run("demo", "--part", "attention", "--seq", "64", "--heads", "1", "--head-dim", "8", "--dtype", "fp16",
                "--repeat", "2", "--provider", "reference", "--seed", "5");
        assertEquals("0", result[0], result[1] + result[2]);
        assertTrue(result[1].contains("chosen with --provider"), result[1]);
        assertTrue(result[1].contains("tolerance 1.0e-02"), result[1]);
        assertTrue(result[1].contains("best of 2 runs"), result[1]);
    }

    @Test
    void variantsAProviderCannotRunAreSkippedNotFailed() {
        String[] result = run("demo", "--part", "attention", "--seq", "64", "--heads", "2", "--head-dim", "8",
                "--repeat", "1", "--provider", "fp32-only");
        assertEquals("0", result[0], result[1] + result[2]);
        String out = result[1];
        assertTrue(out.lines().anyMatch(l -> l.startsWith("dense ") && l.endsWith("ok")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("causal ") && l.endsWith("ok")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("sparsemax ") && l.endsWith("skipped")), out);
        assertTrue(out.contains("note: sparsemax: skipped, provider 'fp32-only' cannot run this forward pass:"
                + " normalizer sparsemax not supported"), out);
    }

    @Test
    void wrongResultsAndFailuresMakeTheDemoFail() {
        String[] result = run("demo", "--seq", "64", "--heads", "2", "--head-dim", "8", "--repeat", "1",
                "--provider", "faulty");
        assertEquals("1", result[0], result[1] + result[2]);
        String out = result[1];
        assertTrue(out.lines().anyMatch(l -> l.startsWith("dense ") && l.endsWith("FAIL")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("causal ") && l.endsWith("ERROR")), out);
        assertTrue(out.contains("note: causal: failed: java.lang.ArithmeticException: simulated fault"), out);
        // The faulty provider does not count pairs: the demo counts them itself.
        assertTrue(out.lines().anyMatch(l -> l.startsWith("dense ") && l.contains("8,192")), out);
        assertTrue(out.contains("FAILED (tolerance 1.0e-05): dense (relative error 1.0e-02)"), out);
        assertEquals("attn4j demo: a variant failed or disagrees with the reference beyond the SPEC's tolerance"
                + " (see the table)", result[2].strip());
        assertFalse(out.contains("Part 2"), "the model part does not run on a provider that failed:\n" + out);
    }

    @Test
    void theModelPartLearnsWithCotAndGeneratesThroughSparseAttention() throws Exception {
        java.nio.file.Path json = java.nio.file.Files.createTempFile("demo", ".json");
        try {
            String[] result = run("demo", "--part", "model", "--prompts", "256", "--top-k", "1,2", "--json",
                    json.toString());
            assertEquals("0", result[0], result[1] + result[2]);
            String out = result[1];
            assertFalse(out.contains("kept pairs"), "part 1 did not run:\n" + out);
            assertTrue(out.contains("Part 2."), out);
            assertTrue(out.contains("Learned after"), out);
            assertTrue(out.contains("exact 1.000"), "the entropy lines end at exact match 1.0:\n" + out);
            // The trained model's chain of thought is the same through top-1 / top-2 attention as through dense.
            for (String mode : new String[] {"dense", "top-1 tokens", "top-2 tokens"}) {
                assertTrue(out.lines().anyMatch(l -> l.strip().startsWith(mode) && l.contains("exact match 1.000")),
                        mode + ":\n" + out);
            }
            assertTrue(out.contains("(4.5%)"), "top-1 attends one key of 22 on average:\n" + out);
            com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(json.toFile());
            assertTrue(j.toString().contains("top-1 tokens"), j.toString());
        } finally {
            java.nio.file.Files.deleteIfExists(json);
        }
    }

    @Test
    void figuresKeepThreeSignificantDigits() {
        assertEquals("1235", AttentionDemo.significant(1234.56));
        assertEquals("12.3", AttentionDemo.significant(12.34));
        assertEquals("1.23", AttentionDemo.significant(1.234));
        assertEquals("0.123", AttentionDemo.significant(0.12345));
        assertEquals("0.00373", AttentionDemo.significant(0.003731));
        assertEquals("0", AttentionDemo.significant(0));
    }

    @Test
    void badOptions() {
        String[] result = run("demo", "--seq", "0");
        assertEquals("1", result[0]);
        assertEquals("attn4j demo: --seq: expected >= 1, got 0", result[2].strip());
        result = run("demo", "--size", "huge");
        assertEquals("1", result[0]);
        assertTrue(result[2].startsWith("attn4j demo: --size: expected auto, small, medium or large"), result[2]);
        result = run("demo", "--heads", "4", "--kv-heads", "3");
        assertEquals("1", result[0]);
        assertTrue(result[2].startsWith("attn4j demo: --kv-heads: expected a divisor of 4"), result[2]);
        result = run("demo", "--dtype", "int8");
        assertEquals("2", result[0]);
        result = run("demo", "--part", "everything");
        assertEquals("1", result[0]);
        assertEquals("attn4j demo: --part: expected all, attention, model or reason, got 'everything'",
                result[2].strip());
        result = run("demo", "--part", "reason", "--reason-samples", "0");
        assertEquals("1", result[0]);
        assertEquals("attn4j demo: --reason-samples: expected >= 1, got 0", result[2].strip());
        result = run("demo", "--part", "model", "--prompts", "0");
        assertEquals("1", result[0]);
        assertEquals("attn4j demo: --prompts: expected >= 1, got 0", result[2].strip());
    }

    @Test
    void theReasoningPartTrainsTheEncoderDecoderAndPrintsItsTable() {
        // A budget too small to learn: the test checks the story's steps, not the model's accuracy.
        String[] result = run("demo", "--part", "reason", "--reason-samples", "256");
        assertEquals("0", result[0], result[1] + result[2]);
        String out = result[1];
        assertTrue(out.contains("Part 3. The sparse-attention reasoning model of seed 000"), out);
        assertFalse(out.contains("Part 2"), out);
        assertTrue(out.contains("1. Training the encoder-decoder (1 + 1 blocks, 2 heads, dim 64) on pointer n=16"
                + " hops=4 symbols=64"), out);
        for (String row : new String[] {"16      as trained", "16      tokentopk:1", "16      blocktopk:1,4",
            "64      as trained", "64      tokentopk:1"}) {
            assertTrue(out.contains("   " + row), "table row '" + row + "':\n" + out);
        }
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }
}
