package org.attn4j.cpu.decode;

import java.util.Arrays;

/**
 * One (sequence, kv head) of a {@link CpuKvCache}, in the layouts the decode kernels stream:
 * <ul>
 *   <li>keys transposed per chunk of {@value #CHUNK} positions, {@code keysT[chunk][c][j]}: scores are saxpys over a
 *       chunk, one key component after another;</li>
 *   <li>values row-major per group of {@value #VALUE_ROWS} positions, {@code values[pos / VALUE_ROWS]} holding
 *       those positions' value rows one after another: the weighted sum multiplies a whole group by its weights
 *       spread over the rows, element by element (one long saxpy), and adds the rows up at the end;</li>
 *   <li>per block of the cache's block size the running float64 key sum and, once the block is complete, its
 *       mean (what block top-k scores), transposed.</li>
 * </ul>
 * Why no array per key: the garbage collector moves small arrays one by one and may scatter a chunk's rows over
 * memory, which turns a sequential read into random accesses (measured: G1 made a dense decode step 1.6x slower
 * than a collector that kept the order). Arrays of a few KiB move as a whole. Growing adds arrays; nothing already
 * stored moves.
 */
final class CachedHead {
    /** Long enough that each key component streams from memory in runs of 4 KiB the prefetcher follows. */
    static final int CHUNK = 1024;
    static final int SHIFT = 10;
    /** Positions per value array (4 KiB for Dv = 64): long enough for sequential reads, short enough for blocks. */
    static final int VALUE_ROWS = 16;

    private final int d;
    private final int dv;
    private final int blockSize;
    float[][][] keysT = new float[0][][];
    float[][] values = new float[0][];
    double[][] blockSums = new double[0][];
    /**
     * Whether every stored value is finite: then a weighted sum may multiply a whole group of value rows by weights
     * that are 0 outside the kept keys; otherwise rows of weight 0 must be skipped, since {@code 0 * inf} is NaN and a
     * key of weight 0 contributes nothing (SPEC).
     */
    boolean valuesFinite = true;
    /** The largest Euclidean norm of a stored key (infinite once a key is not finite): bounds float score errors. */
    double maxKeyNorm;
    /** {@code meansT[c][kb]}: component c of complete block kb's mean, transposed for scoring every block at once. */
    double[][] meansT;

    CachedHead(int d, int dv, int blockSize, int capacity) {
        this.d = d;
        this.dv = dv;
        this.blockSize = blockSize;
        this.meansT = new double[d][0];
        reserve(capacity);
    }

    void reserve(int capacity) {
        int chunks = (capacity + CHUNK - 1) / CHUNK;
        int old = keysT.length;
        if (chunks > old) {
            keysT = Arrays.copyOf(keysT, chunks);
        }
        // Chunks are full but the last, which holds just the capacity (small caches stay small); growing replaces
        // it by a longer copy.
        for (int c = Math.max(0, old - 1); c < chunks; c++) {
            int want = Math.min(CHUNK, capacity - c * CHUNK);
            int have = keysT[c] == null ? 0 : keysT[c][0].length;
            if (want <= have) {
                continue;
            }
            keysT[c] = longer(keysT[c], d, want, have);
        }
        int groups = (capacity + VALUE_ROWS - 1) / VALUE_ROWS;
        if (groups > values.length) {
            int oldGroups = values.length;
            values = Arrays.copyOf(values, groups);
            for (int x = oldGroups; x < groups; x++) {
                values[x] = new float[VALUE_ROWS * dv];
            }
        }
        int blocks = (capacity + blockSize - 1) / blockSize;
        if (blocks > blockSums.length) {
            int oldBlocks = blockSums.length;
            blockSums = Arrays.copyOf(blockSums, blocks);
            for (int kb = oldBlocks; kb < blocks; kb++) {
                blockSums[kb] = new double[d];
            }
            for (int c = 0; c < d; c++) {
                meansT[c] = Arrays.copyOf(meansT[c], blocks);
            }
        }
    }

    private static float[][] longer(float[][] old, int width, int length, int have) {
        float[][] t = new float[width][length];
        for (int x = 0; x < width && have > 0; x++) {
            System.arraycopy(old[x], 0, t[x], 0, have);
        }
        return t;
    }

    /** Stores {@code count} rows of keys {@code k[kOff ..]} and values {@code v[vOff ..]} at positions {@code from ..}. */
    void store(float[] k, int kOff, float[] v, int vOff, int from, int count) {
        for (int t = 0; t < count; t++) {
            int pos = from + t;
            float[][] kt = keysT[pos >>> SHIFT];
            int j = pos & (CHUNK - 1);
            int kBase = kOff + t * d;
            double[] sum = blockSums[pos / blockSize];
            for (int c = 0; c < d; c++) {
                float x = k[kBase + c];
                kt[c][j] = x;
                sum[c] += x;
            }
            double norm = 0;
            for (int c = 0; c < d; c++) {
                double x = k[kBase + c];
                norm += x * x;
            }
            maxKeyNorm = Math.max(maxKeyNorm, Double.isNaN(norm) ? Double.POSITIVE_INFINITY : Math.sqrt(norm));
            for (int c = 0; c < dv; c++) {
                valuesFinite &= Float.isFinite(v[vOff + t * dv + c]);
            }
            System.arraycopy(v, vOff + t * dv, values[pos / VALUE_ROWS], (pos % VALUE_ROWS) * dv, dv);
            if ((pos + 1) % blockSize == 0) {
                // The block is complete: its mean is final, and decode steps read it from now on.
                for (int c = 0; c < d; c++) {
                    meansT[c][pos / blockSize] = sum[c] / blockSize;
                }
            }
        }
    }

    void readKeys(int length, float[] dst, int offset) {
        for (int pos = 0; pos < length; pos++) {
            float[][] kt = keysT[pos >>> SHIFT];
            int j = pos & (CHUNK - 1);
            for (int c = 0; c < d; c++) {
                dst[offset + pos * d + c] = kt[c][j];
            }
        }
    }

    void readValues(int length, float[] dst, int offset) {
        for (int pos = 0; pos < length; pos++) {
            System.arraycopy(values[pos / VALUE_ROWS], (pos % VALUE_ROWS) * dv, dst, offset + pos * dv, dv);
        }
    }

    void readBlockSums(int blocks, double[] dst, int offset) {
        for (int kb = 0; kb < blocks; kb++) {
            System.arraycopy(blockSums[kb], 0, dst, offset + kb * d, d);
        }
    }



    /**
     * {@code acc += sum_t w[t] * V[keys[t]]} over {@code from <= t < to}, skipping zero weights: for a few keys
     * (a support, a top-k), each a row of its value group.
     */
    void addValues(float[] acc, float[] w, int[] keys, int from, int to) {
        for (int t = from; t < to; t++) {
            float wt = w[t];
            if (wt == 0f) {
                continue;
            }
            float[] group = values[keys[t] / VALUE_ROWS];
            int at = (keys[t] % VALUE_ROWS) * dv;
            for (int c = 0; c < dv; c++) {
                acc[c] += wt * group[at + c];
            }
        }
    }
}
