package org.attn4j.cpu;

import org.attn4j.mask.SelectionOrder;

/**
 * Dynamic token top-k over one row held as (key, float score) pairs in ascending key order: keeps the {@code k}
 * keys that rank first by the SPEC's float64 score in {@link SelectionOrder} (ties to the lower key, NaN first,
 * {@code -0.0 == +0.0}), exactly as the reference does.
 *
 * <p>The float scores decide every key whose rank their error ({@link ExactTokenScores#bound}) cannot change:
 * with {@code [lo, hi] = score -+ bound}, a key whose {@code lo} exceeds the (k+1)-th largest {@code hi} is surely
 * kept, a key whose {@code hi} is below the k-th largest {@code lo} surely dropped. Only the keys in between, and
 * those with a NaN or infinite float score, get their exact score; the rest of the k places go to the best of them.
 *
 * <p>The kept set is summarized by a cut, the last kept key in rank order ({@link #cutScore}, {@link #cutKey}): a
 * key is kept iff it ranks at or before it. The backward pass re-applies the cut to recomputed scores with
 * {@link #passes}, without buffering the row again.
 */
final class TokenSelection {
    private static final byte OUT = 0;
    private static final byte IN = 1;
    private static final byte UNSURE = 2;

    /** Exact score of the cut of the last {@link #keep} call ({@code -inf} when every key was kept). */
    double cutScore;
    /** Key of the cut ({@code Integer.MAX_VALUE} when every key was kept). */
    int cutKey;

    private double[] lo = new double[0];
    private double[] hi = new double[0];
    private double[] scratch = new double[0];
    private double[] exact = new double[0];
    private boolean[] known = new boolean[0];
    private byte[] state = new byte[0];
    private int[] unsure = new int[0];
    private final RadixSelect radix = new RadixSelect();

    /**
     * Keeps the best {@code k} of {@code scores/keys[0..n)} in place, in key order, and returns how many remain.
     *
     * @param scorer the row's exact scores, already prepared
     */
    int keep(float[] scores, int[] keys, int n, int k, ExactTokenScores scorer) {
        if (n <= k) {
            cutScore = Double.NEGATIVE_INFINITY;
            cutKey = Integer.MAX_VALUE;
            return n;
        }
        grow(n);
        double bound = scorer.bound;
        boolean allSettled = Double.isFinite(bound);
        for (int t = 0; t < n; t++) {
            float s = scores[t];
            boolean settled = Float.isFinite(s) && Double.isFinite(bound);
            allSettled &= settled;
            lo[t] = settled ? s - bound : Double.NEGATIVE_INFINITY;
            hi[t] = settled ? s + bound : Double.POSITIVE_INFINITY;
            known[t] = false;
        }
        double lowK;
        double highK1;
        if (allSettled) {
            // s -> s -+ bound (rounded in double) never reverses an order, so the k-th largest lo is the k-th
            // largest float score minus the bound: both order statistics from one radix selection on the floats.
            radix.load(scores, n);
            lowK = radix.kthLargest(n, k) - bound;
            highK1 = radix.kthLargest(n, k + 1) + bound;
        } else {
            System.arraycopy(lo, 0, scratch, 0, n);
            lowK = kthLargest(scratch, n, k);
            System.arraycopy(hi, 0, scratch, 0, n);
            highK1 = kthLargest(scratch, n, k + 1);
        }
        int sure = 0;
        int unsureCount = 0;
        for (int t = 0; t < n; t++) {
            if (lo[t] > highK1) {
                state[t] = IN;
                sure++;
            } else if (hi[t] < lowK) {
                state[t] = OUT;
            } else {
                state[t] = UNSURE;
                exact[t] = scorer.exact(keys[t]);
                known[t] = true;
                unsure[unsureCount++] = t;
            }
        }
        selectFirst(unsure, unsureCount, k - sure, keys);
        for (int u = 0; u < unsureCount; u++) {
            state[unsure[u]] = u < k - sure ? IN : OUT;
        }
        findCut(keys, n, scorer);
        int w = 0;
        for (int t = 0; t < n; t++) {
            if (state[t] == IN) {
                scores[w] = scores[t];
                keys[w] = keys[t];
                w++;
            }
        }
        return w;
    }

    /** The last kept key in rank order: only kept keys whose {@code lo} could reach the lowest upper bound. */
    private void findCut(int[] keys, int n, ExactTokenScores scorer) {
        double lowestHigh = Double.POSITIVE_INFINITY;
        for (int t = 0; t < n; t++) {
            if (state[t] == IN) {
                lowestHigh = Math.min(lowestHigh, known[t] ? exactOrInfinity(exact[t]) : hi[t]);
            }
        }
        int cut = -1;
        for (int t = 0; t < n; t++) {
            if (state[t] != IN || !(known[t] || lo[t] <= lowestHigh)) {
                continue;
            }
            if (!known[t]) {
                exact[t] = scorer.exact(keys[t]);
                known[t] = true;
            }
            if (cut < 0 || SelectionOrder.ranksBefore(exact[cut], keys[cut], exact[t], keys[t])) {
                cut = t;
            }
        }
        cutScore = exact[cut];
        cutKey = keys[cut];
    }

    /** A NaN score counts as +inf for the bound on the lowest kept score (NaN ranks first, never last unless all are). */
    private static double exactOrInfinity(double x) {
        return Double.isNaN(x) ? Double.POSITIVE_INFINITY : x;
    }

    /**
     * Whether key {@code key} with recomputed float score {@code score} passes the cut {@code (cutScore, cutKey)}
     * of its row; {@code scorer} is the row's, prepared as when the cut was made.
     */
    static boolean passes(float score, int key, double cutScore, int cutKey, ExactTokenScores scorer) {
        double bound = scorer.bound;
        if (Float.isFinite(score) && Double.isFinite(bound)) {
            if (score - bound > cutScore) {
                return true;
            }
            if (score + bound < cutScore) {
                return false;
            }
        }
        return SelectionOrder.compare(scorer.exact(key), key, cutScore, cutKey) <= 0;
    }

    /**
     * Reorders {@code idx[0..len)} (positions into the row) so that its first {@code count} entries are the
     * {@code count} that rank first by their exact scores; quickselect.
     */
    private void selectFirst(int[] idx, int len, int count, int[] keys) {
        int left = 0;
        int right = len - 1;
        while (count > 0 && count < right - left + 1) {
            int mid = (left + right) >>> 1;
            int pivot = idx[mid];
            swap(idx, mid, right);
            int store = left;
            for (int t = left; t < right; t++) {
                if (before(idx[t], pivot, keys)) {
                    swap(idx, t, store++);
                }
            }
            swap(idx, store, right);
            // idx[left..store) rank before the pivot, idx[store] is the pivot.
            int firstPart = store - left + 1;
            if (firstPart == count) {
                return;
            }
            if (firstPart > count) {
                right = store - 1;
            } else {
                count -= firstPart;
                left = store + 1;
            }
        }
    }

    private boolean before(int a, int b, int[] keys) {
        return SelectionOrder.ranksBefore(exact[a], keys[a], exact[b], keys[b]);
    }

    /** The k-th largest of {@code a[0..n)} (1-based, no NaN), by quickselect; reorders {@code a}. */
    static double kthLargest(double[] a, int n, int k) {
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
            double pivot = a[mid];
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

    private void grow(int n) {
        if (lo.length < n) {
            lo = new double[n];
            hi = new double[n];
            scratch = new double[n];
            exact = new double[n];
            known = new boolean[n];
            state = new byte[n];
            unsure = new int[n];
        }
    }

    private static void swap(double[] a, int i, int j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
