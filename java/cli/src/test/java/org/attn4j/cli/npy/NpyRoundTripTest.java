package org.attn4j.cli.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.attn4j.HalfFloats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NpyRoundTripTest {
    @TempDir
    Path dir;

    static Stream<Arguments> floatFormats() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (NpyType t : new NpyType[] {NpyType.FLOAT16, NpyType.FLOAT32, NpyType.FLOAT64}) {
            for (ByteOrder o : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                for (int version = 1; version <= 3; version++) {
                    b.add(Arguments.of(t, o, version));
                }
            }
        }
        return b.build();
    }

    /** Files from 64 KiB up are memory-mapped rather than read: same values, both byte orders, and truncation. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("byteOrders")
    void largeArraysAreMappedWithTheSameValues(ByteOrder order) throws IOException {
        float[] values = randomFloats(3 * 40_000, 2);
        Path file = dir.resolve("big.npy");
        NpyWriter.write(file, NpyArray.ofFloats(NpyType.FLOAT32, order, values, 3, 40_000), 0);
        assertTrue(Files.size(file) > NpyReader.MAP_AT_BYTES);
        NpyArray back = NpyReader.read(file);
        assertArrayEquals(values, back.toFloatArray());

        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 4));
        NpyFormatException e = org.junit.jupiter.api.Assertions.assertThrows(NpyFormatException.class,
                () -> NpyReader.read(file));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    static Stream<ByteOrder> byteOrders() {
        return Stream.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN);
    }

    @ParameterizedTest(name = "{0} {1} v{2}")
    @MethodSource("floatFormats")
    void floatArraysSurviveAWriteAndARead(NpyType type, ByteOrder order, int version) throws IOException {
        float[] values = randomFloats(2 * 3 * 5 * 7, 1);
        // Values NumPy cannot tell apart from the type's own must come back bit for bit.
        float[] rounded = roundTo(type, values);
        Path file = dir.resolve("a.npy");
        NpyWriter.write(file, NpyArray.ofFloats(type, order, values, 2, 3, 5, 7), version);

        byte[] bytes = Files.readAllBytes(file);
        assertEquals(version, bytes[6], "major version byte");
        assertEquals(0, dataOffset(bytes) % 64, "data starts on a 64-byte boundary");

        NpyArray back = NpyReader.read(file);
        assertEquals(type, back.type());
        assertArrayEquals(new int[] {2, 3, 5, 7}, back.shape());
        assertEquals(order, back.order());
        assertArrayEquals(rounded, back.toFloatArray());
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("versions")
    void booleanAndByteArraysSurviveAWriteAndARead(int version) throws IOException {
        boolean[] mask = {true, false, false, true, true, false};
        Path file = dir.resolve("m.npy");
        NpyWriter.write(file, NpyArray.ofBooleans(mask, 2, 3), version);
        NpyArray back = NpyReader.read(file);
        assertEquals(NpyType.BOOL, back.type());
        assertArrayEquals(mask, back.toBooleanArray());

        byte[] bytes = {0, 1, 2, (byte) 255, 0, 7};
        NpyWriter.write(file, NpyArray.ofUint8(bytes, 1, 1, 2, 3), version);
        back = NpyReader.read(file);
        assertEquals(NpyType.UINT8, back.type());
        assertArrayEquals(new int[] {1, 1, 2, 3}, back.shape());
        assertArrayEquals(new boolean[] {false, true, true, true, false, true}, back.toBooleanArray());
    }

    static Stream<Integer> versions() {
        return Stream.of(1, 2, 3);
    }

    @Test
    void specialValuesSurvive() throws IOException {
        float[] special = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0.0f, 0f, Float.MIN_VALUE,
            Float.MAX_VALUE, Float.NaN};
        Path file = dir.resolve("s.npy");
        NpyWriter.write(file, NpyArray.ofFloat32(special, special.length));
        assertArrayEquals(special, NpyReader.read(file).toFloatArray());
    }

    @Test
    void shapesOfEveryRankIncludingScalarsAndEmptyArrays() throws IOException {
        int[][] shapes = {{}, {5}, {1}, {0}, {3, 0, 2}, {2, 2, 2, 2, 2}};
        for (int[] shape : shapes) {
            int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] values = randomFloats(n, 2);
            Path file = dir.resolve("r" + shape.length + ".npy");
            NpyWriter.write(file, NpyArray.ofFloat32(values, shape));
            NpyArray back = NpyReader.read(file);
            assertArrayEquals(shape, back.shape(), Arrays.toString(shape));
            assertArrayEquals(values, back.toFloatArray());
        }
    }

    @Test
    void headerIsWhatNumpyWrites() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        NpyWriter.write(Channels.newChannel(bytes), NpyArray.ofFloat32(new float[5], 5), 0);
        byte[] b = bytes.toByteArray();
        assertEquals(1, b[6]);
        int headerLength = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        String header = new String(b, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", header.strip());
        assertTrue(header.endsWith("\n"));
        assertEquals(128 - 10, headerLength, "padded so that the data starts at byte 64 or 128");

        bytes.reset();
        NpyWriter.write(Channels.newChannel(bytes), NpyArray.ofFloats(NpyType.FLOAT16, ByteOrder.BIG_ENDIAN,
                new float[6], 2, 3), 0);
        b = bytes.toByteArray();
        header = new String(b, 10, (b[8] & 0xff) | (b[9] & 0xff) << 8, StandardCharsets.ISO_8859_1);
        assertEquals("{'descr': '>f2', 'fortran_order': False, 'shape': (2, 3), }", header.strip());
    }

    @Test
    void aHeaderTooLongForVersion1IsWrittenAsVersion2() throws IOException {
        int[] shape = new int[25_000]; // 25 000 dimensions of 1: "1, " each, more than 65 535 bytes of header
        Arrays.fill(shape, 1);
        Path file = dir.resolve("long.npy");
        NpyWriter.write(file, NpyArray.ofFloat32(new float[] {3.5f}, shape));
        assertEquals(2, Files.readAllBytes(file)[6]);
        NpyArray back = NpyReader.read(file);
        assertEquals(25_000, back.rank());
        assertArrayEquals(new float[] {3.5f}, back.toFloatArray());
    }

    @Test
    void readsEquivalentHeaderSpellings() throws IOException {
        String[] headers = {
            "{'shape': (2, 2), 'fortran_order': False, 'descr': '<f4'}",
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,2)}",
            "{'descr':'<f4','fortran_order':False,'shape':(2L, 2L),}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 2], }",
        };
        for (String h : headers) {
            Path file = dir.resolve("h.npy");
            Files.write(file, NpyTestFiles.npy(1, h, floatBytes(1, 2, 3, 4)));
            assertArrayEquals(new float[] {1, 2, 3, 4}, NpyReader.read(file).toFloatArray(), h);
        }
    }

    static byte[] floatBytes(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static int dataOffset(byte[] npy) {
        int major = npy[6];
        if (major == 1) {
            return 10 + ((npy[8] & 0xff) | (npy[9] & 0xff) << 8);
        }
        return 12 + ByteBuffer.wrap(npy, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static float[] randomFloats(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 10);
        }
        return x;
    }

    private static float[] roundTo(NpyType type, float[] values) {
        if (type != NpyType.FLOAT16) {
            return values.clone();
        }
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = HalfFloats.halfBitsToFloat(HalfFloats.floatToHalfBits(values[i]));
        }
        return out;
    }
}
