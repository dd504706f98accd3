package org.attn4j.examples.window;

/**
 * The keys one query may see under causal masking and a sliding window with global tokens (SPEC, "Masks"), as at
 * most two ranges {@code [start, end)}: the global keys {@code [0, G)} and the window around the query's aligned
 * position {@code i' = i + Nk - Nq}, both cut at {@code i'} when causal. A query with {@code 0 <= i' < G} is global
 * itself and sees every key; a query with {@code i' < 0} (Nq > Nk) never is, so its window may hold no key. Work per
 * query is then the window's width, not Nk.
 */
final class KeyRanges {
    private final int queryLength;
    private final int keyLength;
    private final boolean causal;
    private final boolean windowed;
    private final int left;
    private final int right;
    private final int global;

    KeyRanges(int queryLength, int keyLength, boolean causal, boolean windowed, int left, int right, int global) {
        this.queryLength = queryLength;
        this.keyLength = keyLength;
        this.causal = causal;
        this.windowed = windowed;
        this.left = left;
        this.right = right;
        this.global = global;
    }

    /**
     * Writes query {@code i}'s key ranges into {@code out} as start/end pairs, sorted and disjoint, and returns how
     * many there are (0, 1 or 2).
     */
    int of(int i, int[] out) {
        long aligned = (long) i + keyLength - queryLength;
        long end = causal ? Math.min(keyLength, aligned + 1) : keyLength;
        if (end <= 0) {
            return 0; // causal with Nq > Nk: the first queries precede every key
        }
        if (!windowed || (aligned >= 0 && aligned < global)) {
            return put(out, 0, 0, end);
        }
        long windowStart = Math.max(0, aligned - left);
        long windowEnd = Math.min(end, aligned + right + 1);
        long globalEnd = Math.min(global, end);
        if (globalEnd > 0 && windowStart <= globalEnd) {
            return put(out, 0, 0, Math.max(globalEnd, windowEnd)); // the two ranges touch: one range
        }
        int n = 0;
        if (globalEnd > 0) {
            n = put(out, n, 0, globalEnd);
        }
        if (windowStart < windowEnd) {
            n = put(out, n, windowStart, windowEnd);
        }
        return n;
    }

    private static int put(int[] out, int n, long start, long end) {
        out[2 * n] = (int) start;
        out[2 * n + 1] = (int) end;
        return n + 1;
    }
}
