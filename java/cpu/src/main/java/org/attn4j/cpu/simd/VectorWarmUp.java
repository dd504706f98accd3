package org.attn4j.cpu.simd;

import java.util.function.Consumer;

/**
 * Brings the vector kernels to compiled speed in the background, then hands them over. The Vector API is only fast
 * once C2 has compiled its callers; until then every vector operation runs as interpreted Java, about a thousand
 * times slower, so a first large call on the vector kernels would spend seconds there. Calls run on the plain
 * kernels meanwhile (they give the same bits), while this thread calls the vector kernels on small arrays shaped to
 * take every loop at least twice (C2 compiles from that profile) until a call runs at compiled speed. Started by
 * {@code org.attn4j.cpu.SelectedKernels} once the first call has returned.
 */
public final class VectorWarmUp {
    /** A warm-up round (about 50 thousand flops) at compiled speed takes a few microseconds, interpreted about 1 ms. */
    private static final long WARM_NANOS = 40_000;
    /** Gives up after this long (the plain kernels stay): a machine this busy would not profit anyway. */
    private static final long GIVE_UP_NANOS = 60_000_000_000L;

    private VectorWarmUp() {
    }

    /** Starts the warm-up on a daemon thread; {@code whenWarm} receives the kernels once they run compiled. */
    public static void start(TileKernels vector, Consumer<TileKernels> whenWarm) {
        Thread t = new Thread(() -> {
            if (warm(vector)) {
                whenWarm.accept(vector);
            }
        }, "attn4j-cpu-vector-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** Calls the kernels until a round runs at compiled speed; false if that took too long. */
    static boolean warm(TileKernels k) {
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        int rows = 11; // a block of 6 rows, a block of 4 and a single row: every row kernel
        int d = 9;
        int n = 8 * lanes + lanes + 3; // two blocks of 4 vectors, one vector, a scalar tail
        int keys = 11;
        float[][] q = filled(rows, d, 0.25f);
        float[][] kt = filled(d, n, 0.5f);
        float[][] s = filled(rows, n, 0f);
        float[][] acc = filled(rows, n, 0f);
        float[][] w = filled(rows, n, 0.125f);
        for (int r = 0; r < rows; r += 2) {
            java.util.Arrays.fill(w[r], 0, 4, 0f); // a group of zero weights, skipped
        }
        float[][] values = filled(keys, n, 1f);
        int[] index = new int[keys];
        for (int t = 0; t < keys; t++) {
            index[t] = keys - 1 - t;
        }
        float[] scratch = new float[Math.max(n, 32)];
        // Token top-k's candidate filter: two blocks of 64 scores and a tail, about half of them passing.
        float[] row = new float[2 * 64 + 5];
        for (int t = 0; t < row.length; t++) {
            row[t] = (t * 37 % 11) - 5f;
        }
        int[] positions = new int[row.length];
        // Its search for the k-th: two steps of two vectors and a tail.
        int[] orderedKeys = new int[4 * lanes + 3];
        for (int t = 0; t < orderedKeys.length; t++) {
            orderedKeys[t] = t * 37 % 11 - 5;
        }
        int[] keysScratch = new int[orderedKeys.length];
        long start = System.nanoTime();
        while (System.nanoTime() - start < GIVE_UP_NANOS) {
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 20; round++) {
                long t0 = System.nanoTime();
                k.scoreRows(q, rows, kt, d, 0, n, s);
                k.addWeightedRows(acc, w, rows, values, 0, 0, keys, n);
                k.addWeightedIndexedRows(acc[0], w[0], index, values, keys, n);
                float max = k.max(s[0], 0, n);
                k.expShifted(s[0], max, 0, n, scratch);
                if (k.allFinite(row, 0, row.length)) {
                    k.positionsAtLeast(row, row.length, 0f, positions);
                }
                k.countAtLeast(orderedKeys, orderedKeys.length, k.largestBelow(orderedKeys, orderedKeys.length, 3));
                k.keysWithin(orderedKeys, orderedKeys.length, -1, 1, keysScratch);
                best = Math.min(best, System.nanoTime() - t0);
            }
            if (best < WARM_NANOS) {
                return true;
            }
        }
        return false;
    }

    private static float[][] filled(int rows, int cols, float value) {
        float[][] a = new float[rows][cols];
        for (float[] row : a) {
            java.util.Arrays.fill(row, value);
        }
        return a;
    }
}
