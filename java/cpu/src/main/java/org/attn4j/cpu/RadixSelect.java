package org.attn4j.cpu;

import java.util.Arrays;

/**
 * The k-th largest of a row of floats in O(n), by radix selection on their bits: floats map to integers of the same
 * order, a histogram of the top 8 bits finds the bucket holding the k-th largest, and only that bucket's values go
 * on to the next 8 bits. No comparisons to mispredict, unlike quickselect, and a row of 4096 scores usually leaves
 * the first pass with a few dozen values.
 */
final class RadixSelect {
    private static final int RADIX = 256;

    private int[] keys = new int[0];
    private int[] work = new int[0];
    private final int[] count = new int[RADIX];

    /** Values sampled to guess a cut below the largest ones ({@link #loadLargest}). */
    private static final int SAMPLES = 64;
    private final float[] sample = new float[SAMPLES];
    private int size;
    private int[] positions = new int[0];
    private boolean filtered;
    private float cut;

    /**
     * Loads {@code a[0..n)} (no NaN) for {@link #kthLargest}: each float as an integer of the same order ({@code
     * -0.0} just below {@code +0.0}), offset so that unsigned order is float order.
     */
    void load(float[] a, int n) {
        grow(n);
        filtered = false;
        for (int t = 0; t < n; t++) {
            keys[t] = key(a[t]);
        }
        size = n;
    }

    /**
     * Loads at least the {@code m} largest of {@code a[0..n)} (no NaN), often far fewer than n values, for
     * {@link #kthLargest} with {@code k <= m}: a sample of the row guesses a value below the m-th largest, and only
     * the values at or above it are kept, in one branch-free pass; if fewer than m remain, all are loaded.
     */
    void loadLargest(float[] a, int n, int m) {
        if (n < 16 * SAMPLES || m > n / 4) {
            load(a, n);
            return;
        }
        int stride = n / SAMPLES;
        for (int i = 0; i < SAMPLES; i++) {
            sample[i] = a[i * stride];
        }
        Arrays.sort(sample);
        // The sample's rank of the m-th largest, plus a margin of a few samples (about two standard deviations).
        int fromTop = (int) ((long) m * SAMPLES / n) + 6;
        if (fromTop >= SAMPLES) {
            load(a, n);
            return;
        }
        float cut = sample[SAMPLES - 1 - fromTop];
        grow(n + 1);
        int kept = 0;
        for (int t = 0; t < n; t++) {
            float x = a[t];
            keys[kept] = key(x);
            positions[kept] = t;
            kept += x >= cut ? 1 : 0;
        }
        if (kept < m) {
            load(a, n);
            return;
        }
        size = kept;
        filtered = true;
        this.cut = cut;
    }

    /**
     * Whether the last load kept only the values at or above {@link #cut}; their positions in the row are then
     * {@link #position}{@code (0 .. loaded() - 1)}, ascending.
     */
    boolean filtered() {
        return filtered;
    }

    /** The value every loaded one is at least, when {@link #filtered}. */
    float cut() {
        return cut;
    }

    /** How many values the last load kept. */
    int loaded() {
        return size;
    }

    /** The row position of loaded value {@code i}, when {@link #filtered}. */
    int position(int i) {
        return positions[i];
    }

    private void grow(int n) {
        if (keys.length < n) {
            keys = new int[n];
            work = new int[n];
            positions = new int[n];
        }
    }

    private static int key(float x) {
        int bits = Float.floatToRawIntBits(x);
        return (bits ^ ((bits >> 31) & 0x7fffffff)) ^ 0x80000000;
    }

    /**
     * The {@code k}-th largest (1-based) of the values last loaded: {@code k <= n} after {@link #load}, {@code k <=
     * m} after {@link #loadLargest}.
     */
    float kthLargest(int k) {
        int n = size;
        int[] from = keys;
        int size = n;
        int rank = k - 1; // values larger than the one sought, still to skip, in the current bucket
        int prefix = 0;
        for (int shift = 24; shift >= 0; shift -= 8) {
            Arrays.fill(count, 0);
            for (int t = 0; t < size; t++) {
                count[(from[t] >>> shift) & (RADIX - 1)]++;
            }
            int bucket = RADIX - 1;
            while (rank >= count[bucket]) {
                rank -= count[bucket];
                bucket--;
            }
            prefix |= bucket << shift;
            if (shift == 0 || count[bucket] == 1) {
                if (shift != 0) {
                    // The only value of its bucket: find it.
                    for (int t = 0; t < size; t++) {
                        if (((from[t] >>> shift) & (RADIX - 1)) == bucket) {
                            return toFloat(from[t]);
                        }
                    }
                }
                return toFloat(prefix);
            }
            int kept = 0;
            int[] to = work; // in place once from is work: kept <= t
            for (int t = 0; t < size; t++) {
                int key = from[t];
                if (((key >>> shift) & (RADIX - 1)) == bucket) {
                    to[kept++] = key;
                }
            }
            from = to;
            size = kept;
        }
        return toFloat(prefix);
    }

    private static float toFloat(int key) {
        int bits = key ^ 0x80000000;
        return Float.intBitsToFloat(bits ^ ((bits >> 31) & 0x7fffffff));
    }
}
