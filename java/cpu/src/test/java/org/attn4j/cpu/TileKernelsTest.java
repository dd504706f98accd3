package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.attn4j.cpu.simd.SimdSupport;
import org.attn4j.cpu.simd.TileKernels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Both {@link TileKernels} (the Vector API one where this JVM has the module): they give the same bits for every
 * result, a score has the same bits however it is computed (a block of rows, one row, {@code dotInScoreOrder}), and
 * the products are right to float accuracy.
 */
class TileKernelsTest {
    static List<TileKernels> kernels() {
        List<TileKernels> all = new ArrayList<>();
        all.add(new ScalarTileKernels());
        TileKernels vector = vector();
        if (vector != null) {
            all.add(vector);
        }
        all.add(SelectedKernels.get());
        return all;
    }

    /** The Vector API kernels where this JVM has the module (loaded reflectively, as the provider does), else null. */
    private static TileKernels vector() {
        if (!SimdSupport.vectorModulePresent()) {
            return null;
        }
        try {
            return (TileKernels) Class.forName("org.attn4j.cpu.simd.VectorTileKernels")
                    .getDeclaredConstructor(TileKernels.class).newInstance(new ScalarTileKernels());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** expShifted is exp to 2e-7 relative, on every path, over the arguments a softmax meets ({@code <= 0}). */
    @Test
    void expShiftedIsExpToFloatAccuracy() {
        int n = 20000;
        float[] s = new float[n];
        for (int j = 0; j < n; j++) {
            s[j] = -87f * j / (n - 1); // from 0 down to where exp leaves the normal range
        }
        s[n - 1] = Float.NEGATIVE_INFINITY;
        for (TileKernels kernels : kernels()) {
            float[] e = s.clone();
            kernels.expShifted(e, 0f, 0, n, new float[n]);
            for (int j = 0; j < n - 1; j++) {
                double exact = Math.exp(s[j]);
                assertTrue(Math.abs(e[j] - exact) <= 2e-7 * exact, kernels.name() + ": exp(" + s[j] + ") = " + e[j]
                        + ", exactly " + exact);
            }
            assertEquals(0f, e[n - 1], kernels.name() + ": exp(-inf)");
        }
    }

    /** allFinite finds a NaN or infinity wherever it is in the range, on every path, and ignores one outside it. */
    @Test
    void allFiniteFindsEveryNonFiniteScore() {
        for (TileKernels kernels : kernels()) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                for (int n : new int[] {1, 3, 17, 40, 100, 2048}) {
                    float[] s = new float[n + 2];
                    java.util.Arrays.fill(s, -Float.MAX_VALUE);
                    assertTrue(kernels.allFinite(s, 1, n + 1), kernels.name());
                    s[0] = bad;
                    s[n + 1] = bad;
                    assertTrue(kernels.allFinite(s, 1, n + 1), kernels.name() + ": outside the range");
                    for (int at : new int[] {1, 1 + n / 2, n}) {
                        s[at] = bad;
                        assertEquals(false, kernels.allFinite(s, 1, n + 1), kernels.name() + ": " + bad + " at " + at);
                        s[at] = Float.MAX_VALUE;
                    }
                }
            }
        }
    }

    /** positionsAtLeast lists exactly the positions at or above the cut, in order, on every path and length. */
    @Test
    void positionsAtLeastListsThePassingPositions() {
        Random random = new Random(29);
        for (TileKernels kernels : kernels()) {
            for (int trial = 0; trial < 300; trial++) {
                int n = random.nextInt(300);
                float[] s = new float[n];
                for (int t = 0; t < n; t++) {
                    s[t] = random.nextInt(4) == 0 ? (random.nextBoolean() ? 0f : -0f) : (float) random.nextGaussian();
                }
                float cut = new float[] {0f, -0f, 0.5f, -1f, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
                        (float) random.nextGaussian()}[trial % 7];
                int[] positions = new int[n];
                int kept = kernels.positionsAtLeast(s, n, cut, positions);
                int expected = 0;
                for (int t = 0; t < n; t++) {
                    if (s[t] >= cut) {
                        assertEquals(t, positions[expected++], kernels.name() + " n=" + n + " cut=" + cut);
                    }
                }
                assertEquals(expected, kept, kernels.name() + " n=" + n + " cut=" + cut);
            }
        }
    }

    /** countAtLeast, largestBelow and keysWithin (token top-k's search) against plain loops, extremes included. */
    @Test
    void searchKernelsMatchPlainLoops() {
        Random random = new Random(31);
        int[] extremes = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -1, 0, 1, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
        for (TileKernels kernels : kernels()) {
            for (int trial = 0; trial < 400; trial++) {
                int n = random.nextInt(100);
                int[] keys = new int[n];
                for (int i = 0; i < n; i++) {
                    keys[i] = random.nextInt(3) == 0 ? extremes[random.nextInt(extremes.length)]
                            : random.nextInt(9) - 4;
                }
                int key = random.nextBoolean() ? extremes[random.nextInt(extremes.length)] : random.nextInt(9) - 4;
                int count = 0;
                int below = Integer.MIN_VALUE;
                for (int x : keys) {
                    count += x >= key ? 1 : 0;
                    below = x < key ? Math.max(below, x) : below;
                }
                String what = kernels.name() + " n=" + n + " key=" + key;
                assertEquals(count, kernels.countAtLeast(keys, n, key), what);
                assertEquals(below, kernels.largestBelow(keys, n, key), what);
                int lo = random.nextBoolean() ? key : extremes[random.nextInt(extremes.length)];
                int hi = Math.max(lo, random.nextBoolean() ? random.nextInt(9) - 4
                        : extremes[random.nextInt(extremes.length)]);
                int[] within = Arrays.stream(keys).filter(x -> x >= lo && x <= hi).toArray();
                int[] to = new int[n];
                int kept = kernels.keysWithin(keys, n, lo, hi, to);
                assertArrayEquals(within, Arrays.copyOf(to, kept), what + " lo=" + lo + " hi=" + hi);
                int[] inPlace = keys.clone();
                kept = kernels.keysWithin(inPlace, n, lo, hi, inPlace);
                assertArrayEquals(within, Arrays.copyOf(inPlace, kept), what + " in place, lo=" + lo + " hi=" + hi);
            }
        }
    }

    @Test
    void vectorKernelsGiveThePlainKernelsBits() {
        TileKernels vector = vector();
        Assumptions.assumeTrue(vector != null, "no jdk.incubator.vector in this JVM");
        TileKernels plain = new ScalarTileKernels();
        Random random = new Random(17);
        for (int trial = 0; trial < 60; trial++) {
            int rows = 1 + random.nextInt(16); // six-row, four-row and single-row blocks
            int d = 1 + random.nextInt(70);
            int n = 1 + random.nextInt(150);
            int from = random.nextInt(n);
            int len = 1 + random.nextInt(140);
            float[][] q = random(random, rows, d);
            float[][] kt = random(random, d, n);
            float[][] a = new float[rows][n];
            float[][] b = new float[rows][n];
            plain.scoreRows(q, rows, kt, d, from, n, a);
            vector.scoreRows(q, rows, kt, d, from, n, b);
            assertBits(a, b, "scores");
            // Weights with zero groups and zero singles, as masks and sparse supports make them.
            float[][] w = random(random, rows, n);
            for (float[] row : w) {
                for (int t = 0; t < n; t++) {
                    if (random.nextInt(4) == 0) {
                        row[t] = 0f;
                    }
                }
            }
            float[][] values = random(random, n + 3, len);
            float[][] accA = random(random, rows, len);
            float[][] accB = copy(accA);
            plain.addWeightedRows(accA, w, rows, values, 3, from, n, len);
            vector.addWeightedRows(accB, w, rows, values, 3, from, n, len);
            assertBits(accA, accB, "weighted rows");
            int[] index = new int[n];
            for (int t = 0; t < n; t++) {
                index[t] = random.nextInt(values.length);
            }
            float[] oneA = accA[0].clone();
            float[] oneB = accA[0].clone();
            plain.addWeightedIndexedRows(oneA, w[0], index, values, n, len);
            vector.addWeightedIndexedRows(oneB, w[0], index, values, n, len);
            assertBits(new float[][] {oneA}, new float[][] {oneB}, "indexed rows");
            // And a row without zero weights (the vector kernel's direct path; zeros are compacted away first).
            float[] dense = random(random, 1, n)[0];
            for (int t = 0; t < n; t++) {
                dense[t] = dense[t] == 0f ? 0.5f : dense[t];
            }
            oneA = accA[0].clone();
            oneB = accA[0].clone();
            plain.addWeightedIndexedRows(oneA, dense, index, values, n, len);
            vector.addWeightedIndexedRows(oneB, dense, index, values, n, len);
            assertBits(new float[][] {oneA}, new float[][] {oneB}, "indexed rows, no zero weight");
            float[] sA = a[0].clone();
            if (random.nextBoolean()) {
                sA[from] = Float.NEGATIVE_INFINITY; // a masked score
            }
            float[] sB = sA.clone();
            float maxA = plain.max(sA, from, n);
            float maxB = vector.max(sB, from, n);
            assertEquals(Float.floatToIntBits(maxA), Float.floatToIntBits(maxB), "max");
            float sumA = plain.expShifted(sA, maxA, from, n, new float[Math.max(n, 32)]);
            float sumB = vector.expShifted(sB, maxB, from, n, new float[Math.max(n, 32)]);
            assertEquals(Float.floatToIntBits(sumA), Float.floatToIntBits(sumB), "exp sum");
            assertBits(new float[][] {sA}, new float[][] {sB}, "exp");
        }
    }

    private static void assertBits(float[][] expected, float[][] actual, String what) {
        for (int r = 0; r < expected.length; r++) {
            for (int c = 0; c < expected[r].length; c++) {
                assertEquals(Float.floatToIntBits(expected[r][c]), Float.floatToIntBits(actual[r][c]),
                        what + " [" + r + "][" + c + "]");
            }
        }
    }

    private static float[][] copy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int r = 0; r < a.length; r++) {
            c[r] = a[r].clone();
        }
        return c;
    }

    @Test
    void scoresAgreeBitForBitAcrossRowBlocksRowsAndDots() {
        Random random = new Random(7);
        for (TileKernels k : kernels()) {
            // Odd sizes: row blocks with a remainder, key spans with vector and scalar tails.
            for (int[] shape : new int[][] {{7, 37, 130, 3}, {4, 64, 128, 0}, {9, 3, 21, 5}, {1, 17, 200, 77}}) {
                int rows = shape[0];
                int d = shape[1];
                int n = shape[2];
                int from = shape[3];
                float[][] q = random(random, rows, d);
                float[][] keys = random(random, n, d);
                float[][] kt = transpose(keys, d);
                float[][] block = new float[rows][n];
                k.scoreRows(q, rows, kt, d, from, n, block);
                for (int r = 0; r < rows; r++) {
                    float[] row = new float[n];
                    k.scoreRow(q[r], kt, d, from, n, row);
                    for (int j = from; j < n; j++) {
                        assertEquals(Float.floatToIntBits(row[j]), Float.floatToIntBits(block[r][j]), k.name());
                        float dot = k.dotInScoreOrder(q[r], keys[j], d);
                        assertEquals(Float.floatToIntBits(dot), Float.floatToIntBits(row[j]), k.name());
                        double exact = 0;
                        double size = 0;
                        for (int c = 0; c < d; c++) {
                            exact += (double) q[r][c] * keys[j][c];
                            size += Math.abs((double) q[r][c] * keys[j][c]);
                        }
                        assertTrue(Math.abs(row[j] - exact) <= (d + 2) * 0x1p-23 * size, k.name());
                    }
                }
            }
        }
    }

    @Test
    void weightedRowsMatchDoubleSums() {
        Random random = new Random(11);
        for (TileKernels k : kernels()) {
            for (int[] shape : new int[][] {{6, 40, 64, 2, 5}, {4, 128, 100, 0, 0}, {3, 10, 7, 1, 3}}) {
                int rows = shape[0];
                int n = shape[1];
                int len = shape[2];
                int from = shape[3];
                int first = shape[4];
                float[][] w = random(random, rows, n);
                float[][] values = random(random, first + n, len);
                float[][] acc = random(random, rows, len);
                double[][] expected = new double[rows][len];
                double[][] size = new double[rows][len];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < len; c++) {
                        expected[r][c] = acc[r][c];
                        size[r][c] = Math.abs(acc[r][c]);
                        for (int t = from; t < n; t++) {
                            expected[r][c] += (double) w[r][t] * values[first + t][c];
                            size[r][c] += Math.abs((double) w[r][t] * values[first + t][c]);
                        }
                    }
                }
                k.addWeightedRows(acc, w, rows, values, first, from, n, len);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < len; c++) {
                        assertTrue(Math.abs(acc[r][c] - expected[r][c]) <= (n + 2) * 0x1p-23 * size[r][c],
                                k.name() + " r=" + r + " c=" + c);
                    }
                }
            }
        }
    }

    @Test
    void indexedRowsMatchDoubleSums() {
        Random random = new Random(13);
        for (TileKernels k : kernels()) {
            for (int len : new int[] {64, 100, 7}) {
                int n = 37;
                float[][] rows = random(random, 50, len);
                float[] w = random(random, 1, n)[0];
                w[3] = 0f;
                int[] index = new int[n];
                for (int t = 0; t < n; t++) {
                    index[t] = random.nextInt(rows.length);
                }
                float[] acc = random(random, 1, len)[0];
                for (int c = 0; c < len; c++) {
                    double expected = acc[c];
                    double size = Math.abs(acc[c]);
                    for (int t = 0; t < n; t++) {
                        expected += (double) w[t] * rows[index[t]][c];
                        size += Math.abs((double) w[t] * rows[index[t]][c]);
                    }
                    float[] one = acc.clone();
                    k.addWeightedIndexedRows(one, w, index, rows, n, len);
                    assertTrue(Math.abs(one[c] - expected) <= (n + 2) * 0x1p-23 * size, k.name() + " c=" + c);
                }
            }
        }
    }

    @Test
    void unknownModeIsRejectedNamingTheProperty() {
        String before = System.getProperty(SimdSupport.PROPERTY);
        System.setProperty(SimdSupport.PROPERTY, "fastest");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SimdSupport.choose(new ScalarTileKernels()));
            assertTrue(e.getMessage().contains(SimdSupport.PROPERTY));
            System.setProperty(SimdSupport.PROPERTY, "scalar");
            assertEquals("scalar", SimdSupport.choose(new ScalarTileKernels()).name().split(" ")[0]);
        } finally {
            if (before == null) {
                System.clearProperty(SimdSupport.PROPERTY);
            } else {
                System.setProperty(SimdSupport.PROPERTY, before);
            }
        }
    }

    private static float[][] random(Random random, int rows, int cols) {
        float[][] a = new float[rows][cols];
        for (float[] row : a) {
            for (int c = 0; c < cols; c++) {
                row[c] = (float) random.nextGaussian();
            }
        }
        return a;
    }

    private static float[][] transpose(float[][] rows, int d) {
        float[][] t = new float[d][rows.length];
        for (int j = 0; j < rows.length; j++) {
            for (int c = 0; c < d; c++) {
                t[c][j] = rows[j][c];
            }
        }
        return t;
    }
}
