package org.attn4j.cpu;

/**
 * Dynamic token top-k over one row held as (key, score) pairs in ascending key order: keeps the {@code k} highest
 * scores, ties going to the lower key (SPEC). The kept set is summarized by a cut, {@code score > threshold}, or
 * {@code score == threshold} and {@code key <= lastTiedKey}, which the backward pass re-applies to recomputed
 * scores without buffering the row again.
 */
final class TokenSelection {
    /** The cut of the last {@link #keep} call. */
    float threshold;
    int lastTiedKey;

    /**
     * Keeps the best {@code k} of {@code scores/keys[0..n)} in place, in key order, and returns how many remain.
     *
     * @param scratch length >= n
     */
    int keep(float[] scores, int[] keys, int n, int k, float[] scratch) {
        if (n <= k) {
            threshold = Float.NEGATIVE_INFINITY;
            lastTiedKey = Integer.MAX_VALUE;
            return n;
        }
        System.arraycopy(scores, 0, scratch, 0, n);
        float t = kthLargest(scratch, n, k);
        int above = 0;
        for (int j = 0; j < n; j++) {
            if (scores[j] > t) {
                above++;
            }
        }
        int tiesKept = k - above;
        int w = 0;
        int lastKey = -1;
        for (int j = 0; j < n; j++) {
            float s = scores[j];
            boolean keepIt = s > t;
            if (!keepIt && s == t && tiesKept > 0) {
                keepIt = true;
                tiesKept--;
                lastKey = keys[j];
            }
            if (keepIt) {
                scores[w] = s;
                keys[w] = keys[j];
                w++;
            }
        }
        threshold = t;
        lastTiedKey = lastKey;
        return w;
    }

    /** Whether a recomputed score passes the cut stored as {@code threshold} and {@code lastTiedKey}. */
    static boolean passes(float score, int key, float threshold, int lastTiedKey) {
        return score > threshold || (score == threshold && key <= lastTiedKey);
    }

    /** The k-th largest of {@code a[0..n)} (1-based), by quickselect; reorders {@code a}. */
    static float kthLargest(float[] a, int n, int k) {
        int target = n - k; // index in ascending order
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            // Median of three as the pivot keeps sorted and reversed rows linear.
            if (a[mid] < a[lo]) {
                swap(a, mid, lo);
            }
            if (a[hi] < a[lo]) {
                swap(a, hi, lo);
            }
            if (a[hi] < a[mid]) {
                swap(a, hi, mid);
            }
            float pivot = a[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(a, i, j);
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return a[target];
            }
        }
        return a[target];
    }

    private static void swap(float[] a, int i, int j) {
        float t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
