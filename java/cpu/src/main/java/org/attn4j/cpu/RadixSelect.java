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

    /**
     * Loads {@code a[0..n)} (no NaN) for {@link #kthLargest}: each float as an integer of the same order ({@code
     * -0.0} just below {@code +0.0}), offset so that unsigned order is float order.
     */
    void load(float[] a, int n) {
        if (keys.length < n) {
            keys = new int[n];
            work = new int[n];
        }
        for (int t = 0; t < n; t++) {
            int bits = Float.floatToRawIntBits(a[t]);
            keys[t] = (bits ^ ((bits >> 31) & 0x7fffffff)) ^ 0x80000000;
        }
    }

    /** The {@code k}-th largest (1-based, {@code 1 <= k <= n}) of the {@code n} values last {@link #load}ed. */
    float kthLargest(int n, int k) {
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
