package org.attn4j.cpu.simd;

/**
 * The products of the forward and backward passes: scores {@code S = Q K^T} and weighted values {@code O += P V},
 * for one row or a block of rows against one key tile. Two implementations: the plain-Java loops that C2
 * vectorizes ({@code org.attn4j.cpu.ScalarTileKernels}) and register-blocked Vector API micro-kernels with fused
 * multiply-add ({@link VectorTileKernels}), chosen once per JVM by {@link SimdSupport}.
 *
 * <p>Contract shared by both: a score depends only on its two vectors, never on how many rows or keys were computed
 * with it ({@link #scoreRows} and {@link #scoreRow} give the same bits, and {@link #dotInScoreOrder} gives them for
 * any two vectors), so that a score recomputed anywhere (the backward pass, a partial tile) equals the first. And
 * both implementations give the same bits for every result (see {@link VectorTileKernels}), so that which one runs
 * never shows.
 */
public interface TileKernels {
    /** A short name for diagnostics: {@code "vector"} or {@code "scalar"}. */
    String name();

    /**
     * {@code s[j] = sum_c q[c] * kt[c][j]} for {@code from <= j < to} (entries outside are left as they are).
     *
     * @param q  one query row (already scaled), length >= d
     * @param kt the tile's keys transposed: {@code kt[c][j]} is component {@code c} of key {@code j}
     */
    void scoreRow(float[] q, float[][] kt, int d, int from, int to, float[] s);

    /** {@link #scoreRow} for rows {@code q[0..rows)} into {@code s[0..rows)}, the same bits, faster. */
    void scoreRows(float[][] q, int rows, float[][] kt, int d, int from, int to, float[][] s);

    /**
     * {@code acc[r][c] += sum_t w[r][t] * values[first + t][c]} for {@code r < rows}, {@code from <= t < to},
     * {@code c < len}. For finite values only: a zero weight may still be multiplied ({@code 0 * inf} is NaN).
     */
    void addWeightedRows(float[][] acc, float[][] w, int rows, float[][] values, int first, int from, int to, int len);

    /**
     * {@code acc[c] += sum_t w[t] * rows[index[t]][c]} for {@code t < n}, {@code c < len}: a buffered row's kept
     * keys (token top-k, sparse normalizers). Zero weights may be skipped; for finite rows only.
     */
    void addWeightedIndexedRows(float[] acc, float[] w, int[] index, float[][] rows, int n, int len);

    /** {@code sum_c a[c] * b[c]} with exactly the operations and order of one score of {@link #scoreRow}. */
    float dotInScoreOrder(float[] a, float[] b, int len);

    /** Largest of {@code s[from..to)}, NaN if any is NaN, {@code -inf} for an empty range. */
    float max(float[] s, int from, int to);

    /**
     * Replaces {@code s[j]} by {@code exp(s[j] - shift)} for {@code from <= j < to} and returns their sum, taken in
     * 16 interleaved partial sums ({@code (j - from) mod 16}) added in order; a score of {@code -inf} gives exactly
     * 0. Arguments {@code s[j] - shift} must be {@code <= 0} (the shift is the row's maximum). Relative error below
     * about 2e-7 ({@code org.attn4j.cpu.FastExp}'s polynomial).
     *
     * @param scratch length at least {@code max(to, 32)}
     */
    float expShifted(float[] s, float shift, int from, int to, float[] scratch);

    /** Whether every {@code s[j]}, {@code from <= j < to}, is finite (token top-k settles such rows by floats). */
    boolean allFinite(float[] s, int from, int to);

    /**
     * Writes the positions {@code t < n} with {@code s[t] >= cut}, ascending, to {@code positions} and returns how
     * many there are: token top-k's candidates. For finite scores only; {@code cut} may be {@code -inf}.
     *
     * @param positions length at least {@code n}
     */
    int positionsAtLeast(float[] s, int n, float cut, int[] positions);

    /** How many of {@code keys[0..n)} are {@code >= key}: one probe of token top-k's search for its k-th score. */
    int countAtLeast(int[] keys, int n, int key);

    /** The largest of {@code keys[0..n)} below {@code key}, {@link Integer#MIN_VALUE} when none is. */
    int largestBelow(int[] keys, int n, int key);

    /**
     * Writes the keys of {@code x[0..m)} within {@code [lo, hi]} to {@code to}, in order, and returns how many
     * there are; {@code to} may be {@code x} (the keys move down in place).
     *
     * @param to length at least {@code m}
     */
    int keysWithin(int[] x, int m, int lo, int hi, int[] to);

    /**
     * Whether token top-k's search, whose range holds {@code inside} of the {@code probed} keys that each probe
     * counts, should copy those out ({@link #keysWithin}) before probing again: worth it soon where a probe costs
     * about what a copy does (a plain loop), only when few keys are left where a probe counts whole vectors.
     */
    boolean compactSearch(int inside, int probed);

    /**
     * {@link #keysWithin}'s plain loop over {@code x[from..to)}, appending at {@code kept}; returns the new count.
     * Branch-free: every key is written, the count moves past those inside (in place, no key is overwritten before
     * it is read, since {@code kept <= from}).
     */
    static int appendKeysWithin(int[] x, int from, int to, int lo, int hi, int[] out, int kept) {
        int span = (hi - lo) ^ Integer.MIN_VALUE; // key in [lo, hi] iff key - lo <= hi - lo, unsigned
        for (int i = from; i < to; i++) {
            int key = x[i];
            out[kept] = key;
            kept += ((key - lo) ^ Integer.MIN_VALUE) <= span ? 1 : 0;
        }
        return kept;
    }
}
