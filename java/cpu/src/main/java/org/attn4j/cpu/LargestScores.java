package org.attn4j.cpu;

import java.util.Arrays;
import org.attn4j.cpu.simd.TileKernels;

/**
 * The k-th and (k+1)-th largest of a row of finite float scores, in time that grows mostly with the candidates
 * rather than the row: a sample of the row guesses a value just below the m-th largest ({@code m >= k + 1}), one
 * pass keeps the positions at or above it ({@link TileKernels#positionsAtLeast}), and a histogram of those
 * candidates finds the bin of the k-th; only that bin goes on, until a few values are left to sort.
 *
 * <p>The candidates are histogrammed as ints whose order is the floats' ({@code -0.0} just below {@code +0.0}, as
 * {@link Arrays#sort(float[])} orders them), on the 8 bits below the highest bit of their spread rather than on
 * fixed bytes, so that the first histogram already separates scores that share a sign and an exponent. The result
 * is exactly the k-th of a sorted copy.
 */
final class LargestScores {
    /** Values sampled to guess the cut. */
    private static final int SAMPLES = 128;
    private static final int BINS = 256;
    /** Below this many values, sorting is cheaper than another histogram. */
    private static final int SORT_BELOW = 48;

    private final float[] top = new float[SAMPLES];
    private final int[] count = new int[BINS];
    private int[] positions = new int[0];
    /** The loaded scores, in position order (kept as loaded by {@link #select}). */
    private float[] values = new float[0];
    private int[] keys = new int[0];
    private int[] work = new int[0];
    /** The bin of each value of the last histogram. */
    private byte[] bins = new byte[0];
    private int size;
    private float cut;

    /** The k-th largest after {@link #select}. */
    float kth;
    /** The (k+1)-th largest after {@link #select}. */
    float next;

    /** Loads at least the {@code m} largest of the finite scores {@code s[0..n)}, often far fewer than n values. */
    void load(float[] s, int n, int m, TileKernels kernels) {
        grow(n);
        float guess = n >= 8 * SAMPLES && m <= n / 4 ? sampledCut(s, n, m) : Float.NEGATIVE_INFINITY;
        int kept = kernels.positionsAtLeast(s, n, guess, positions);
        if (kept < m) { // the sample guessed too high: take the whole row
            guess = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < n; t++) {
                positions[t] = t;
            }
            kept = n;
        }
        cut = guess;
        size = kept;
    }

    /**
     * The sample's value a few places below its share of the m largest (about two standard deviations): the
     * largest few of an evenly spaced sample, kept sorted by insertion (most samples fail the first comparison).
     */
    private float sampledCut(float[] s, int n, int m) {
        int fromTop = (int) ((long) m * SAMPLES / n);
        fromTop += 2 + (int) (2 * Math.sqrt(fromTop)); // the rank's spread is about sqrt(fromTop)
        if (fromTop >= SAMPLES / 2) {
            return Float.NEGATIVE_INFINITY;
        }
        int want = fromTop + 1;
        float[] best = top; // best[0..have) descending
        int have = 0;
        int stride = n / SAMPLES;
        for (int i = 0; i < SAMPLES; i++) {
            float x = s[i * stride];
            if (have == want && !(x > best[want - 1])) {
                continue;
            }
            int at = have < want ? have++ : want - 1;
            while (at > 0 && best[at - 1] < x) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = x;
        }
        return best[want - 1];
    }

    /** Whether the last load kept only the scores at or above {@link #cut} (not the whole row). */
    boolean filtered() {
        return cut > Float.NEGATIVE_INFINITY;
    }

    /** The value every loaded score is at least ({@code -inf} when the whole row was loaded). */
    float cut() {
        return cut;
    }

    /** How many scores the last load kept. */
    int loaded() {
        return size;
    }

    /** The row position of loaded score {@code i}, ascending in {@code i}. */
    int position(int i) {
        return positions[i];
    }

    /** Loaded score {@code i} (the row's score at {@link #position}{@code (i)}), after {@link #select}. */
    float value(int i) {
        return values[i];
    }

    /**
     * Sets {@link #kth} and {@link #next} to the {@code k}-th and {@code (k+1)}-th largest of the loaded scores of
     * row {@code s} ({@code k + 1 <=} the {@code m} of the load).
     */
    void select(float[] s, int k) {
        int len = size;
        int[] v = keys;
        int lo = Integer.MAX_VALUE;
        int hi = Integer.MIN_VALUE;
        for (int i = 0; i < len; i++) {
            float x = s[positions[i]];
            values[i] = x;
            int key = orderedKey(x);
            v[i] = key;
            lo = Math.min(lo, key);
            hi = Math.max(hi, key);
        }
        int rank = k; // 1-based from the top, among v[0..len), all within [lo, hi]; rank + 1 <= len
        while (true) {
            if (lo == hi) { // every value the same float
                kth = fromOrderedKey(lo);
                next = kth;
                return;
            }
            if (len < SORT_BELOW) {
                if (v == keys) {
                    System.arraycopy(keys, 0, work, 0, len);
                    v = work;
                }
                Arrays.sort(v, 0, len);
                kth = fromOrderedKey(v[len - rank]);
                next = fromOrderedKey(v[len - rank - 1]);
                return;
            }
            // Bins of 2^shift consecutive keys from lo, at most 256 of them (hi - lo read unsigned).
            int shift = Math.max(0, 32 - Integer.numberOfLeadingZeros(hi - lo) - 8);
            Arrays.fill(count, 0);
            byte[] binOf = bins;
            for (int i = 0; i < len; i++) {
                int at = (v[i] - lo) >>> shift;
                binOf[i] = (byte) at;
                count[at]++;
            }
            int b = BINS - 1;
            int above = 0;
            while (above + count[b] < rank) {
                above += count[b];
                b--;
            }
            rank -= above;
            byte inBin = (byte) b;
            if (rank < count[b]) { // both in bin b: go on with its keys only, a range 256 times narrower
                int kept = 0;
                int[] to = work; // in place once v is work: kept <= i
                for (int i = 0; i < len; i++) {
                    to[kept] = v[i];
                    kept += binOf[i] == inBin ? 1 : 0;
                }
                v = to;
                len = kept;
                lo += b << shift;
                hi = (int) Math.min(hi, lo + ((1L << shift) - 1));
                continue;
            }
            // The k-th is bin b's smallest, the (k+1)-th the largest below bin b.
            int smallestIn = Integer.MAX_VALUE;
            int largestBelow = Integer.MIN_VALUE;
            for (int i = 0; i < len; i++) {
                int at = binOf[i] & 0xff;
                if (at == b) {
                    smallestIn = Math.min(smallestIn, v[i]);
                } else if (at < b) {
                    largestBelow = Math.max(largestBelow, v[i]);
                }
            }
            kth = fromOrderedKey(smallestIn);
            next = fromOrderedKey(largestBelow);
            return;
        }
    }

    /**
     * An int whose signed order is the float order, {@code -0.0} just below {@code +0.0} (as {@link Arrays#sort}
     * orders them): a negative float's magnitude bits flipped.
     */
    private static int orderedKey(float x) {
        int bits = Float.floatToRawIntBits(x);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    private static float fromOrderedKey(int key) {
        return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7fffffff));
    }

    private void grow(int n) {
        if (positions.length < n) {
            positions = new int[n];
            values = new float[n];
            keys = new int[n];
            work = new int[n];
            bins = new byte[n];
        }
    }
}
