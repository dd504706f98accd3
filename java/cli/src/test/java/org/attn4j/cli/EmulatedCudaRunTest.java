package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.attn4j.cli.npy.NpyArray;
import org.attn4j.cli.npy.NpyReader;
import org.attn4j.cli.npy.NpyType;
import org.attn4j.cli.npy.NpyWriter;
import org.attn4j.cuda.CudaRuntime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ATTN4J_CUDA_EMULATOR=1 ./attn4j run --provider cuda --dtype fp16|bf16 ...} on a machine without a GPU:
 * the command runs attn4j's CUDA kernels on the emulated device, for every mask and normalizer the provider declares
 * (fp16; bf16 with softmax), and matches {@code run --provider reference} on the same files. Runs in the {@code emulated-gpu} test execution
 * (the JVM's switch is {@code -Dattn4j.cuda.emulator=true}); skipped with the reason where the natives were not built.
 */
@EnabledIfSystemProperty(named = "attn4j.cuda.emulator", matches = "true")
class EmulatedCudaRunTest {
    @TempDir
    Path dir;

    @BeforeEach
    void emulatedDevice() throws IOException {
        assumeTrue(CudaRuntime.isAvailable(), () -> "cuda unavailable: " + CudaRuntime.availability().reason());
        Random r = new Random(17);
        NpyWriter.write(dir.resolve("Q.npy"), NpyArray.ofFloats(NpyType.FLOAT32, ByteOrder.LITTLE_ENDIAN,
                gaussian(r, 2 * 4 * 90 * 64), 2, 4, 90, 64));
        NpyWriter.write(dir.resolve("K.npy"), NpyArray.ofFloats(NpyType.FLOAT32, ByteOrder.LITTLE_ENDIAN,
                gaussian(r, 2 * 2 * 140 * 64), 2, 2, 140, 64));
        NpyWriter.write(dir.resolve("V.npy"), NpyArray.ofFloats(NpyType.FLOAT32, ByteOrder.LITTLE_ENDIAN,
                gaussian(r, 2 * 2 * 140 * 64), 2, 2, 140, 64));
        NpyWriter.write(dir.resolve("M.npy"), NpyArray.ofBooleans(new boolean[] {true, false, true, true, false,
                true, false, true, true}, 3, 3));
    }

    @Test
    void infoSaysTheDeviceIsEmulated() {
        Cli cli = Cli.run("info");
        assertEquals(0, cli.code, cli.toString());
        assertTrue(cli.out.contains("EMULATED device, not a GPU"), cli.out);
    }

    static Stream<Arguments> masksAndNormalizers() {
        List<String[]> masks = List.of(
                new String[] {},
                new String[] {"--causal"},
                new String[] {"--window", "30,4", "--global", "2"},
                new String[] {"--block-mask", "M.npy", "--block-size", "32,48"},
                new String[] {"--topk-blocks", "1", "--block-size", "32,32"},
                new String[] {"--topk", "11"},
                new String[] {"--causal", "--topk", "7"});
        List<Arguments> all = new ArrayList<>();
        for (String normalizer : new String[] {"softmax", "sparsemax", "entmax15"}) {
            for (String[] mask : masks) {
                all.add(Arguments.of("fp16", normalizer, mask));
                if (normalizer.equals("softmax")) {
                    all.add(Arguments.of("bf16", normalizer, mask));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("masksAndNormalizers")
    void matchesTheReference(String dtype, String normalizer, String[] mask) throws IOException {
        Cli cuda = run("cuda", "O-cuda.npy", dtype, normalizer, mask);
        assertEquals(0, cuda.code, cuda.toString());
        assertTrue(cuda.out.contains("provider cuda"), cuda.out);
        Cli reference = run("reference", "O-ref.npy", dtype, normalizer, mask);
        assertEquals(0, reference.code, reference.toString());
        float[] got = NpyReader.read(dir.resolve("O-cuda.npy")).toFloatArray();
        float[] want = NpyReader.read(dir.resolve("O-ref.npy")).toFloatArray();
        assertEquals(want.length, got.length);
        double num = 0;
        double den = 0;
        for (int i = 0; i < want.length; i++) {
            num += ((double) got[i] - want[i]) * ((double) got[i] - want[i]);
            den += (double) want[i] * want[i];
        }
        double error = Math.sqrt(num / den);
        assertTrue(error < 1e-2, "relative error " + error + " (SPEC: fp16 and bf16 below 1e-2)");
    }

    /**
     * {@code decode --provider cuda}: the cache and the queries on the (emulated) device, steps timed by device
     * events, kept keys counted by the SPEC's rule (the kernels do not count them), NumPy's output beside it.
     */
    @Test
    void decodeBenchmarksTheDeviceCache() throws IOException {
        Path json = dir.resolve("decode.json");
        Cli cli = Cli.run("decode", "--provider", "cuda", "--dtype", "fp16", "--context", "200", "--heads", "4",
                "--kv-heads", "2", "--mask", "dense", "--mask", "blocktopk:1,64,group", "--mask", "tokentopk:8",
                "--warmup", "1", "--warmup-seconds", "0", "--repeat", "2", "--seconds", "0", "--copy-mib", "8",
                "--peers", "none", "--json", json.toString());
        assertEquals(0, cli.code, cli.toString());
        String text = Files.readString(json);
        assertTrue(text.contains("\"timer\" : \"device-events\""), text);
        assertTrue(text.contains("emulator"), text);
        // 200 keys in blocks of 64: the own block (192..199) and one more, every head: (8 + 64) / 200.
        assertTrue(text.contains("\"kept_fraction\" : 0.36"), text);
        // Token top-k keeps 8 of 200.
        assertTrue(text.contains("\"kept_fraction\" : 0.04"), text);
        assertTrue(text.contains("\"provider\" : \"cuda\""), text);
    }

    private Cli run(String provider, String out, String dtype, String normalizer, String[] mask) {
        List<String> args = new ArrayList<>(List.of("run", "--q", file("Q.npy"), "--k", file("K.npy"), "--v",
                file("V.npy"), "--out", file(out), "--provider", provider, "--dtype", dtype, "--normalizer",
                normalizer));
        for (String m : mask) {
            args.add(m.endsWith(".npy") ? file(m) : m);
        }
        return Cli.run(args.toArray(new String[0]));
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
}
