package org.attn4j.cli.npy;

import static org.attn4j.cli.npy.NpyRoundTripTest.floatBytes;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are not arrays attn4j handles: each fails with a message naming the file and the problem. */
class NpyErrorTest {
    private static final String GOOD = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";

    @TempDir
    Path dir;

    @Test
    void missingFile() {
        assertThrows(NoSuchFileException.class, () -> NpyReader.read(dir.resolve("absent.npy")));
    }

    @Test
    void emptyFile() throws IOException {
        expect(new byte[0], "empty file");
    }

    @Test
    void notAnNpyFile() throws IOException {
        expect("hello, world, this is text".getBytes(), "not a .npy file");
    }

    @Test
    void unsupportedVersions() throws IOException {
        expect(NpyTestFiles.npy(4, GOOD, floatBytes(1, 2, 3, 4)), "version 4.0 is not supported");
        expect(NpyTestFiles.npy(1, 1, GOOD, floatBytes(1, 2, 3, 4)), "version 1.1 is not supported");
    }

    @Test
    void fortranOrder() throws IOException {
        expect(NpyTestFiles.npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                floatBytes(1, 2, 3, 4)), "Fortran");
    }

    @Test
    void unsupportedTypes() throws IOException {
        for (String descr : new String[] {"<i4", "<c8", "|S3", "<u2", "<f16", "<M8[ns]", "f4"}) {
            expect(NpyTestFiles.npy(1, "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1,), }",
                    new byte[64]), "'descr'");
        }
        expect(NpyTestFiles.npy(1, "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False,"
                + " 'shape': (1,), }", new byte[8]), "structured");
    }

    @Test
    void ambiguousByteOrder() throws IOException {
        expect(NpyTestFiles.npy(1, "{'descr': '=f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]),
                "ambiguous");
        expect(NpyTestFiles.npy(1, "{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]),
                "ambiguous");
    }

    @Test
    void malformedHeaders() throws IOException {
        expect(NpyTestFiles.npy(1, "{'descr': '<f4', 'fortran_order': False}", new byte[4]), "'shape'");
        expect(NpyTestFiles.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)", new byte[16]),
                "malformed");
        expect(NpyTestFiles.npy(1, "['descr', '<f4']", new byte[16]), "expected a dictionary");
        expect(NpyTestFiles.npy(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 2)}", new byte[16]),
                "'fortran_order'");
        expect(NpyTestFiles.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1)}", new byte[16]),
                "'shape'[1]");
        expect(NpyTestFiles.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': 4}", new byte[16]),
                "'shape'");
    }

    @Test
    void truncatedData() throws IOException {
        expect(NpyTestFiles.npy(1, GOOD, floatBytes(1, 2, 3)), "truncated");
    }

    @Test
    void truncatedHeader() throws IOException {
        byte[] whole = NpyTestFiles.npy(1, GOOD, floatBytes(1, 2, 3, 4));
        expect(Arrays.copyOf(whole, 30), "truncated");
        expect(Arrays.copyOf(whole, 9), "truncated");
    }

    @Test
    void implausibleHeaderLength() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(Integer.MAX_VALUE);
        expect(b.array(), "implausible");
    }

    @Test
    void arraysOverTwoGibibytesAreRefusedBeforeAllocating() throws IOException {
        expect(NpyTestFiles.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }",
                new byte[16]), "2 GiB");
        expect(NpyTestFiles.npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2147483647, 2147483647,"
                + " 2147483647), }", new byte[16]), "too many");
    }

    @Test
    void wrongAccessorForTheType() throws IOException {
        NpyArray floats = NpyArray.ofFloat32(new float[] {1}, 1);
        assertThrows(IllegalArgumentException.class, floats::toBooleanArray);
        NpyArray bools = NpyArray.ofBooleans(new boolean[] {true}, 1);
        assertThrows(IllegalArgumentException.class, bools::toFloatArray);
        assertThrows(IllegalArgumentException.class, () -> NpyArray.ofFloat32(new float[3], 2, 2));
    }

    private void expect(byte[] contents, String fragment) throws IOException {
        Path file = dir.resolve("bad.npy");
        Files.write(file, contents);
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> NpyReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
