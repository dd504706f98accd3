package org.attn4j.cpu;

import java.util.Arrays;
import org.attn4j.cpu.simd.TileKernels;

/**
 * The k-th and (k+1)-th largest of a row of finite float scores, in time that grows mostly with the candidates
 * rather than the row: a sample of the row guesses a value just below the m-th largest ({@code m >= k + 1}), one
 * pass keeps the positions at or above it ({@link TileKernels#positionsAtLeast}), and a search among those
 * candidates finds the k-th.
 *
 * <p>The search runs on ints whose order is the floats' ({@code -0.0} just below {@code +0.0}, as
 * {@link Arrays#sort(float[])} orders them): it keeps a range of keys known to hold the k-th and the number of
 * candidates in it, probes a key inside by counting the candidates at or above it ({@link TileKernels#countAtLeast},
 * a compare and a mask count per vector), copies out the range's candidates when that makes the next probes cheaper
 * ({@link TileKernels#compactSearch}), and once a dozen are left sorts just those. The probe is placed where the
 * counts at the range's ends predict the k-th (the ends' counts interpolated), or halfway when that did not halve
 * the range, so rows that the interpolation misjudges (clusters, outliers) still take at most one probe per bit.
 * The result is exactly the k-th of a sorted copy.
 */
final class LargestScores {
    /** Values sampled to guess the cut. */
    private static final int SAMPLES = 128;
    /** Candidates left in the search range at which sorting them is cheaper than another probe. */
    private static final int SORT_AT = 12;

    private final int[] sampleKeys = new int[SAMPLES];
    private int[] positions = new int[0];
    /** The loaded scores, in position order (kept as loaded by {@link #select}). */
    private float[] values = new float[0];
    private int[] keys = new int[0];
    private int[] work = new int[0];
    private TileKernels kernels;
    private int size;
    /** The results of {@link #search}. */
    private int kthKey;
    private int nextKey;
    private float cut;

    /** The k-th largest after {@link #select}. */
    float kth;
    /** The (k+1)-th largest after {@link #select}. */
    float next;

    /** Loads at least the {@code m} largest of the finite scores {@code s[0..n)}, often far fewer than n values. */
    void load(float[] s, int n, int m, TileKernels kernels) {
        this.kernels = kernels;
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
     * {@code want}-th largest of an evenly spaced sample.
     */
    private float sampledCut(float[] s, int n, int m) {
        int fromTop = (int) ((long) m * SAMPLES / n);
        fromTop += 2 + (int) (2 * Math.sqrt(fromTop)); // the rank's spread is about sqrt(fromTop)
        if (fromTop >= SAMPLES / 2) {
            return Float.NEGATIVE_INFINITY;
        }
        int[] sample = sampleKeys;
        int lo = Integer.MAX_VALUE;
        int hi = Integer.MIN_VALUE;
        int stride = n / SAMPLES;
        for (int i = 0; i < SAMPLES; i++) {
            int key = orderedKey(s[i * stride]);
            sample[i] = key;
            lo = Math.min(lo, key);
            hi = Math.max(hi, key);
        }
        search(sample, SAMPLES, fromTop + 1, lo, hi, false);
        return fromOrderedKey(kthKey);
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
        search(v, len, k, lo, hi, true);
        kth = fromOrderedKey(kthKey);
        next = fromOrderedKey(nextKey);
    }

    /**
     * Sets {@link #kthKey} to the {@code rank}-th largest (1-based, {@code rank < n}) of {@code v[0..n)}, every one
     * within {@code [lo, hi]}, and with {@code withNext} {@link #nextKey} to the {@code (rank + 1)}-th.
     *
     * <p>Invariant: the k-th is in {@code [a, b]}; of the {@code m} keys in {@code x} (at first {@code v}, later the
     * keys of {@code v} within an earlier range, copied into {@link #work}), {@code atA >= need} are {@code >= a} and
     * {@code aboveB < r} are {@code > b}, where {@code r} is the k-th's rank counted within {@code x} and {@code need}
     * is {@code r + 1} while the (k+1)-th is wanted and not yet known (so it stays in the range too), else {@code r}.
     */
    private void search(int[] v, int n, int rank, int lo, int hi, boolean withNext) {
        int[] x = v;
        int m = n;
        int r = rank;
        int need = withNext ? r + 1 : r;
        long a = lo;
        long b = hi;
        int atA = n;
        int aboveB = 0;
        boolean halve = false;
        while (a < b && atA - aboveB > SORT_AT) {
            int inside = atA - aboveB;
            if (kernels.compactSearch(inside, m)) { // probes cost a pass over x: keep only the range's keys
                m = kernels.keysWithin(x, m, (int) a, (int) b, work);
                x = work;
                r -= aboveB;
                need -= aboveB;
                atA = m;
                aboveB = 0;
            }
            long width = b - a;
            long probe;
            if (halve) {
                probe = (a + b + 1) >> 1;
            } else { // where the count would reach need - 1/2 if the keys in [a, b] were evenly spread
                probe = a + (long) ((width + 1) * ((atA - need + 0.5) / inside));
                probe = Math.max(a + 1, Math.min(b, probe));
            }
            int count = kernels.countAtLeast(x, m, (int) probe);
            if (count >= need) {
                a = probe;
                atA = count;
            } else if (count < r) {
                b = probe - 1;
                aboveB = count;
            } else { // exactly r: the probe is above the (k+1)-th and at or below the k-th
                nextKey = kernels.largestBelow(x, m, (int) probe);
                need = r;
                a = probe;
                atA = count;
            }
            halve = b - a > width / 2;
        }
        int inside = atA - aboveB;
        int within = r - aboveB; // the k-th's rank among the keys in [a, b], from the top
        boolean nextInRange = need > r; // then it is the key just below the k-th in [a, b]
        if (a == b) { // every key in the range is the k-th (and the (k+1)-th, if in range)
            kthKey = (int) a;
            if (nextInRange) {
                nextKey = kthKey;
            }
            return;
        }
        int[] few = work;
        kernels.keysWithin(x, m, (int) a, (int) b, few);
        for (int i = 1; i < inside; i++) { // insertion sort: a dozen keys at most
            int key = few[i];
            int at = i;
            while (at > 0 && few[at - 1] > key) {
                few[at] = few[at - 1];
                at--;
            }
            few[at] = key;
        }
        kthKey = few[inside - within];
        if (nextInRange) {
            nextKey = few[inside - within - 1];
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
        }
    }
}
