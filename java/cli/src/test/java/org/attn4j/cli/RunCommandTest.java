package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.cli.npy.NpyArray;
import org.attn4j.cli.npy.NpyReader;
import org.attn4j.cli.npy.NpyType;
import org.attn4j.cli.npy.NpyWriter;
import org.attn4j.mask.BlockMask;
import org.attn4j.reference.ReferenceProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attn4j run} end to end in this JVM: inputs written as .npy, the command run, O and LSE read back and compared
 * with the reference provider called directly on the same request. Every option is used at least once.
 */
class RunCommandTest {
    private static final int B = 2;
    private static final int HQ = 4;
    private static final int HKV = 2;
    private static final int NQ = 37;
    private static final int NK = 45;
    private static final int D = 16;
    private static final int DV = 8;

    @TempDir
    Path dir;

    private void writeInputs(NpyType type, ByteOrder order) throws IOException {
        Random r = new Random(7);
        float[] q = gaussian(r, B * HQ * NQ * D);
        float[] k = gaussian(r, B * HKV * NK * D);
        float[] v = gaussian(r, B * HKV * NK * DV);
        NpyWriter.write(dir.resolve("Q.npy"), NpyArray.ofFloats(type, order, q, B, HQ, NQ, D));
        NpyWriter.write(dir.resolve("K.npy"), NpyArray.ofFloats(type, order, k, B, HKV, NK, D));
        NpyWriter.write(dir.resolve("V.npy"), NpyArray.ofFloats(type, order, v, B, HKV, NK, DV));
    }

    @Test
    void softmaxWithCausalWindowAndGlobalTokensWritesOAndLse() throws IOException {
        writeInputs(NpyType.FLOAT32, ByteOrder.LITTLE_ENDIAN);
        Cli cli = run("--lse", file("LSE.npy"), "--causal", "--window", "5,2", "--global", "3");
        assertEquals(0, cli.code, cli.toString());
        assertTrue(cli.out.contains("provider " + bestFp32Provider()), cli.out);
        assertTrue(cli.err.isEmpty(), cli.err);
        compare(DType.FP32, b -> b.causal().window(5, 2).globalTokens(3).returnLse(true), true);
    }

    @Test
    void rowsWithoutKeysGiveZeroOutputAndMinusInfinityLse() throws IOException {
        writeInputs(NpyType.FLOAT32, ByteOrder.LITTLE_ENDIAN);
        // A block mask whose first query tile (rows 0..9) keeps no key tile.
        boolean[] cells = new boolean[4 * 3];
        Arrays.fill(cells, 3, cells.length, true);
        NpyWriter.write(dir.resolve("M.npy"), NpyArray.ofBooleans(cells, 4, 3));
        Cli cli = run("--lse", file("LSE.npy"), "--block-mask", file("M.npy"), "--block-size", "10,16");
        assertEquals(0, cli.code, cli.toString());
        float[] o = read("O.npy").toFloatArray();
        float[] lse = read("LSE.npy").toFloatArray();
        for (int row = 0; row < 10; row++) {
            assertEquals(Float.NEGATIVE_INFINITY, lse[row], "row " + row);
            for (int c = 0; c < DV; c++) {
                assertEquals(0f, o[row * DV + c]);
            }
        }
        compare(DType.FP32, b -> b.blockMask(BlockMask.of(cells, new int[] {4, 3}, 10, 16)).returnLse(true), true);
    }

    @Test
    void blockMaskPerHeadAsUint8WithDynamicSelectionsAndScale() throws IOException {
        writeInputs(NpyType.FLOAT32, ByteOrder.LITTLE_ENDIAN);
        int qb = (NQ + 7) / 8;
        int kb = (NK + 4) / 5;
        byte[] cells = new byte[B * HQ * qb * kb];
        Random r = new Random(3);
        for (int i = 0; i < cells.length; i++) {
            cells[i] = (byte) (r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(200)); // any non-zero byte is "allowed"
        }
        NpyWriter.write(dir.resolve("M.npy"), NpyArray.ofUint8(cells, B, HQ, qb, kb));
        Cli cli = run("--block-mask", file("M.npy"), "--block-size", "8,5", "--topk-blocks", "3", "--topk", "6",
                "--scale", "0.3", "--provider", "reference");
        assertEquals(0, cli.code, cli.toString());
        boolean[] allowed = new boolean[cells.length];
        for (int i = 0; i < cells.length; i++) {
            allowed[i] = cells[i] != 0;
        }
        compare(DType.FP32, b -> b.blockMask(BlockMask.of(allowed, new int[] {B, HQ, qb, kb}, 8, 5))
                .topKBlocks(3, 8, 5).topKTokens(6).scale(0.3), false);
    }

    @Test
    void sparsemaxAndEntmax() throws IOException {
        writeInputs(NpyType.FLOAT32, ByteOrder.LITTLE_ENDIAN);
        Cli cli = run("--normalizer", "sparsemax", "--causal");
        assertEquals(0, cli.code, cli.toString());
        compare(DType.FP32, b -> b.normalizer(Normalizer.SPARSEMAX).causal(), false);

        cli = run("--normalizer", "entmax15", "--window", "4,4");
        assertEquals(0, cli.code, cli.toString());
        compare(DType.FP32, b -> b.normalizer(Normalizer.ENTMAX15).window(4, 4), false);
    }

    /** Block sizes near Integer.MAX_VALUE: one tile covers the sequence (ceil(N / B) computed without overflow). */
    @Test
    void blockTopKWithTheLargestBlockSize() throws IOException {
        writeInputs(NpyType.FLOAT32, ByteOrder.LITTLE_ENDIAN);
        for (String provider : new String[] {"cpu", "reference"}) {
            Cli cli = run("--topk-blocks", "1", "--block-size", Integer.MAX_VALUE + "," + Integer.MAX_VALUE,
                    "--provider", provider);
            assertEquals(0, cli.code, cli.toString());
            compare(DType.FP32, b -> b.topKBlocks(1, Integer.MAX_VALUE, Integer.MAX_VALUE), false);
        }
    }

    @Test
    void halfInputsComputeInFp16UnlessAskedOtherwise() throws IOException {
        writeInputs(NpyType.FLOAT16, ByteOrder.BIG_ENDIAN);
        Cli cli = run("--lse", file("LSE.npy"));
        assertEquals(0, cli.code, cli.toString());
        assertTrue(cli.out.contains("fp16"), cli.out);
        compare(DType.FP16, b -> b.returnLse(true), true);

        cli = run("--dtype", "bf16", "--causal");
        assertEquals(0, cli.code, cli.toString());
        assertTrue(cli.out.contains("bf16"), cli.out);
        compare(DType.BF16, b -> b.causal(), false);
    }

    @Test
    void float32InputsCanBeComputedInFp16() throws IOException {
        writeInputs(NpyType.FLOAT32, ByteOrder.BIG_ENDIAN);
        Cli cli = run("--dtype", "fp16", "--verbose");
        assertEquals(0, cli.code, cli.toString());
        compare(DType.FP16, b -> b, false);
    }

    /** Runs {@code attn4j run} on Q, K, V in {@link #dir} writing O.npy, with extra options. */
    private Cli run(String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--q", file("Q.npy"), "--k", file("K.npy"),
                "--v", file("V.npy"), "--out", file("O.npy")));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(new String[0]));
    }

    /**
     * Compares O.npy (and LSE.npy) with the reference provider on the inputs as the files hold them, converted to
     * {@code type} as the command converts them.
     */
    private void compare(DType type, UnaryOperator<AttentionRequest.Builder> options, boolean withLse)
            throws IOException {
        NpyArray o = read("O.npy");
        assertEquals(NpyType.FLOAT32, o.type());
        assertArrayEquals(new int[] {B, HQ, NQ, DV}, o.shape());
        try (Tensor qt = Tensor.of(type, read("Q.npy").toFloatArray(), B, HQ, NQ, D);
             Tensor kt = Tensor.of(type, read("K.npy").toFloatArray(), B, HKV, NK, D);
             Tensor vt = Tensor.of(type, read("V.npy").toFloatArray(), B, HKV, NK, DV);
             AttentionResult expected = new ReferenceProvider().forward(
                     options.apply(AttentionRequest.builder(qt, kt, vt).outputDType(DType.FP32)).build())) {
            assertClose(expected.output().toFloatArray(), o.toFloatArray(), "O");
            if (withLse) {
                NpyArray lse = read("LSE.npy");
                assertArrayEquals(new int[] {B, HQ, NQ}, lse.shape());
                assertClose(expected.lse().orElseThrow().toFloatArray(), lse.toFloatArray(), "LSE");
            }
        }
    }

    /** Same provider, same inputs: equal up to float32 rounding of the last bit, infinities equal. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Float.isInfinite(expected[i])) {
                assertEquals(expected[i], actual[i], what + "[" + i + "]");
                continue;
            }
            diff += Math.pow(expected[i] - actual[i], 2);
            norm += Math.pow(expected[i], 2);
        }
        assertTrue(norm > 0, what + " is all zero");
        assertTrue(Math.sqrt(diff / norm) <= 1e-6, what + ": relative error " + Math.sqrt(diff / norm));
    }

    private NpyArray read(String name) throws IOException {
        return NpyReader.read(dir.resolve(name));
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private static float[] gaussian(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** The provider automatic selection picks for an fp32 request (cpu once it is on the class path). */
    private static String bestFp32Provider() {
        try (org.attn4j.Tensor x = org.attn4j.Tensor.allocate(DType.FP32, 1, 1, 1, 8)) {
            return org.attn4j.Attention.select(org.attn4j.AttentionRequest.builder(x, x, x).build()).name();
        }
    }
}
