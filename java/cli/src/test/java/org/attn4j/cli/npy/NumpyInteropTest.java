package org.attn4j.cli.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real NumPy reads what attn4j writes and attn4j reads what NumPy writes. Skipped, with the reason, on machines
 * without python3 and numpy.
 */
class NumpyInteropTest {
    private static String skipReason;

    @TempDir
    Path dir;

    @BeforeAll
    static void findNumpy() {
        try {
            Result r = python("import numpy; print(numpy.__version__)");
            skipReason = r.code == 0 ? null : "python3 has no numpy: " + r.output.strip();
        } catch (IOException e) {
            skipReason = "no python3 on PATH (" + e.getMessage() + ")";
        }
    }

    @Test
    void numpyReadsWhatAttn4jWrites() throws IOException {
        assumeTrue(skipReason == null, () -> "skipped: " + skipReason);
        float[] values = {1.5f, -2.25f, 3f, Float.NEGATIVE_INFINITY, 0.1f, 65504f};
        NpyWriter.write(dir.resolve("f4.npy"), NpyArray.ofFloat32(values, 2, 3));
        NpyWriter.write(dir.resolve("f2be.npy"), NpyArray.ofFloats(NpyType.FLOAT16, ByteOrder.BIG_ENDIAN, values,
                3, 2), 2);
        NpyWriter.write(dir.resolve("f8v3.npy"), NpyArray.ofFloats(NpyType.FLOAT64, ByteOrder.LITTLE_ENDIAN, values,
                6), 3);
        NpyWriter.write(dir.resolve("b.npy"), NpyArray.ofBooleans(new boolean[] {true, false, true, true}, 1, 1,
                2, 2));
        Result r = python("import numpy as np, sys\n"
                + "d = sys.argv[1]\n"
                + "a = np.load(d + '/f4.npy'); print(a.dtype, a.shape, a.tolist())\n"
                + "a = np.load(d + '/f2be.npy'); print(a.dtype.str, a.shape, a.tolist())\n"
                + "a = np.load(d + '/f8v3.npy'); print(a.dtype, a.shape, a.astype(np.float32).tolist())\n"
                + "a = np.load(d + '/b.npy'); print(a.dtype, a.shape, a.tolist())\n", dir.toString());
        assertEquals(0, r.code, r.output);
        String[] lines = r.output.strip().split("\n");
        assertEquals("float32 (2, 3) [[1.5, -2.25, 3.0], [-inf, 0.10000000149011612, 65504.0]]", lines[0]);
        assertEquals(">f2 (3, 2) [[1.5, -2.25], [3.0, -inf], [0.0999755859375, 65504.0]]", lines[1]);
        assertEquals("float64 (6,) [1.5, -2.25, 3.0, -inf, 0.10000000149011612, 65504.0]", lines[2]);
        assertEquals("bool (1, 1, 2, 2) [[[[True, False], [True, True]]]]", lines[3]);
    }

    @Test
    void attn4jReadsWhatNumpyWrites() throws IOException {
        assumeTrue(skipReason == null, () -> "skipped: " + skipReason);
        Result r = python("import numpy as np, sys\n"
                + "d = sys.argv[1]\n"
                + "x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 8\n"
                + "np.save(d + '/f4.npy', x)\n"
                + "np.save(d + '/f2be.npy', x.astype('>f2'))\n"
                + "np.save(d + '/f4be.npy', x.astype('>f4'))\n"
                + "np.save(d + '/f8.npy', x.astype(np.float64))\n"
                + "np.save(d + '/u1.npy', (np.arange(6) % 3).astype(np.uint8).reshape(2, 3))\n"
                + "np.save(d + '/b1.npy', np.arange(6).reshape(2, 3) % 2 == 0)\n"
                + "np.save(d + '/t.npy', x.transpose(2, 1, 0))\n" // NumPy saves a transposed array in Fortran order
                + "np.lib.format.write_array(open(d + '/v2.npy', 'wb'), x, version=(2, 0))\n"
                + "np.lib.format.write_array(open(d + '/v3.npy', 'wb'), x, version=(3, 0))\n", dir.toString());
        assertEquals(0, r.code, r.output);
        float[] expected = new float[24];
        for (int i = 0; i < 24; i++) {
            expected[i] = i / 8f;
        }
        for (String name : new String[] {"f4", "f2be", "f4be", "f8", "v2", "v3"}) {
            NpyArray a = NpyReader.read(dir.resolve(name + ".npy"));
            assertArrayEquals(new int[] {2, 3, 4}, a.shape(), name);
            assertArrayEquals(expected, a.toFloatArray(), name);
        }
        assertArrayEquals(new boolean[] {false, true, true, false, true, true},
                NpyReader.read(dir.resolve("u1.npy")).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, true, false, true, false},
                NpyReader.read(dir.resolve("b1.npy")).toBooleanArray());
        NpyFormatException e = assertThrows(NpyFormatException.class,
                () -> NpyReader.read(dir.resolve("t.npy")));
        assertTrue(e.getMessage().contains("Fortran"), e.getMessage());
    }

    private record Result(int code, String output) {
    }

    private static Result python(String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("python3", "-c", script));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "python3 timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), out);
    }
}
