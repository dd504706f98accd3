package org.attn4j.cpu;

import java.util.Arrays;
import org.attn4j.cpu.simd.TileKernels;
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

    /**
     * Exact score of the cut of the last {@link #keep} call with the cut wanted ({@code -inf} when every key was
     * kept; NaN when the call did not want it).
     */
    double cutScore;
    /** Key of the cut ({@code Integer.MAX_VALUE} when every key was kept, -1 when the call did not want it). */
    int cutKey;

    private double[] lo = new double[0];
    private double[] hi = new double[0];
    private double[] scratch = new double[0];
    private double[] exact = new double[0];
    private boolean[] known = new boolean[0];
    private byte[] state = new byte[0];
    private byte[] exactKnown = new byte[0];
    private int[] unsure = new int[0];
    private final LargestScores largest = new LargestScores();

    /**
     * Keeps the best {@code k} of {@code scores/keys[0..n)} in place, in key order, and returns how many remain.
     *
     * @param scorer       the row's exact scores, already prepared
     * @param kernels      checks the float scores' finiteness and finds the candidates
     * @param withCut      whether to find the cut ({@link #cutScore}, {@link #cutKey}): the backward pass needs it,
     *                     the forward pass does not, and finding it takes the exact score of the lowest kept keys
     * @param implicitKeys whether {@code keys[0..n)} are {@code 0 .. n-1} and not written ({@link BufferedRows}
     *                     skips them for rows of full tiles): the kept keys are written either way
     */
    int keep(float[] scores, int[] keys, int n, int k, ExactTokenScores scorer, TileKernels kernels,
             boolean withCut, boolean implicitKeys) {
        if (n <= k) {
            writeKeys(keys, n, implicitKeys);
            cutScore = Double.NEGATIVE_INFINITY;
            cutKey = Integer.MAX_VALUE;
            return n;
        }
        double bound = scorer.bound;
        if (Double.isFinite(bound) && kernels.allFinite(scores, 0, n)) {
            largest.load(scores, n, k + 1, kernels);
            return keepSettled(scores, keys, n, k, scorer, bound, withCut, implicitKeys);
        }
        writeKeys(keys, n, implicitKeys);
        grow(n);
        for (int t = 0; t < n; t++) {
            float s = scores[t];
            boolean settled = Float.isFinite(s) && Double.isFinite(bound);
            lo[t] = settled ? s - bound : Double.NEGATIVE_INFINITY;
            hi[t] = settled ? s + bound : Double.POSITIVE_INFINITY;
            known[t] = false;
        }
        System.arraycopy(lo, 0, scratch, 0, n);
        double lowK = kthLargest(scratch, n, k);
        System.arraycopy(hi, 0, scratch, 0, n);
        double highK1 = kthLargest(scratch, n, k + 1);
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
        if (withCut) {
            findCut(keys, n, scorer);
        } else {
            noCut();
        }
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

    /**
     * {@link #keep} for the usual row, every float score and the bound finite ({@link #largest} loaded with the
     * row's candidates), in a few passes that touch only floats: the k-th and (k+1)-th largest float score among the
     * candidates ({@code s -+ bound}, rounded in double, never reverses an order, so they give the same {@code lowK}
     * and {@code highK1} as the general path), one pass that classifies and keeps, and the cut looked for among the
     * k kept keys only.
     */
    private int keepSettled(float[] scores, int[] keys, int n, int k, ExactTokenScores scorer, double bound,
                            boolean withCut, boolean implicitKeys) {
        grow(n);
        largest.select(scores, k);
        double lowK = largest.kth - bound;
        double highK1 = largest.next + bound;
        if (lowK > highK1) {
            // The usual row: the float scores' gap between the k-th and the (k+1)-th is wider than their error.
            return keepAboveClearCut(scores, keys, k, scorer, bound, withCut, implicitKeys);
        }
        // In float terms: a key is surely kept iff s >= firstIn, surely dropped iff s < firstNotOut.
        float firstIn = firstAbove(highK1, bound);
        float firstNotOut = firstReaching(lowK, bound);
        if (largest.filtered() && firstNotOut >= largest.cut()) {
            // Every key that is not surely dropped is among the candidates: decide on them alone.
            if (implicitKeys) { // the candidates' keys are the only ones it reads
                for (int i = 0; i < largest.loaded(); i++) {
                    keys[largest.position(i)] = largest.position(i);
                }
            }
            return keepAmongCandidates(scores, keys, k, scorer, bound, firstIn, firstNotOut, withCut);
        }
        writeKeys(keys, n, implicitKeys);
        Arrays.fill(known, 0, n, false);
        int sure = 0;
        int unsureCount = 0;
        for (int t = 0; t < n; t++) {
            double s = scores[t];
            byte st = s - bound > highK1 ? IN : s + bound < lowK ? OUT : UNSURE;
            state[t] = st;
            sure += st == IN ? 1 : 0;
            if (st == UNSURE) {
                exact[t] = scorer.exact(keys[t]);
                known[t] = true;
                unsure[unsureCount++] = t;
            }
        }
        selectFirst(unsure, unsureCount, k - sure, keys);
        for (int u = 0; u < unsureCount; u++) {
            state[unsure[u]] = u < k - sure ? IN : OUT;
        }
        // Compact in key order, remembering each kept key's position (branch-free: every value is written).
        int w = 0;
        for (int t = 0; t < n; t++) {
            scores[w] = scores[t];
            keys[w] = keys[t];
            unsure[w] = t;
            w += state[t] == IN ? 1 : 0;
        }
        if (!withCut) {
            noCut();
            return w;
        }
        double lowestHigh = Double.POSITIVE_INFINITY;
        for (int i = 0; i < w; i++) {
            int t = unsure[i];
            lowestHigh = Math.min(lowestHigh, known[t] ? exactOrInfinity(exact[t]) : scores[i] + bound);
        }
        int cut = -1;
        for (int i = 0; i < w; i++) {
            int t = unsure[i];
            if (!known[t] && scores[i] - bound > lowestHigh) {
                continue;
            }
            if (!known[t]) {
                exact[t] = scorer.exact(keys[i]);
                known[t] = true;
            }
            if (cut < 0 || SelectionOrder.ranksBefore(exact[unsure[cut]], keys[cut], exact[t], keys[i])) {
                cut = i;
            }
        }
        cutScore = exact[unsure[cut]];
        cutKey = keys[cut];
        return w;
    }

    /**
     * The row whose k-th and (k+1)-th float scores are further apart than twice the bound ({@code lowK > highK1}):
     * a key is surely kept iff its float score is at least the k-th's, surely dropped otherwise, so exactly the k
     * candidates at or above the k-th are kept, in one branch-free compaction over the candidates; the cut is looked
     * for among those whose exact score could be the lowest.
     */
    private int keepAboveClearCut(float[] scores, int[] keys, int k, ExactTokenScores scorer, double bound,
                                  boolean withCut, boolean implicitKeys) {
        float kth = largest.kth;
        float level = Kernels.levelForAtLeast(kth);
        int loaded = largest.loaded();
        int w = 0;
        for (int i = 0; i < loaded; i++) { // positions ascend and w <= i <= position: the row compacts in place
            float s = largest.value(i);
            scores[w] = s;
            int t = largest.position(i);
            keys[w] = implicitKeys ? t : keys[t];
            w += Kernels.atLeast(s, level);
        }
        if (withCut) { // the lowest kept float score is the k-th's; no exact score is known yet
            cutAmongKept(scores, keys, w, kth + bound, bound, scorer, false);
        } else {
            noCut();
        }
        return w;
    }

    /**
     * The row whose keys not surely dropped are all among {@link #largest}'s candidates: the surely kept ones (at or
     * above {@code firstIn}) and the unsure ones (from {@code firstNotOut}), whose exact scores choose the rest of the
     * k places; then one branch-free compaction in key order and the cut, looked for in exact scores only where the
     * bound cannot tell (usually the k-th alone). Touches the candidates, never the whole row.
     */
    private int keepAmongCandidates(float[] scores, int[] keys, int k, ExactTokenScores scorer, double bound,
                                    float firstIn, float firstNotOut, boolean withCut) {
        int loaded = largest.loaded();
        float inLevel = Kernels.levelForAtLeast(firstIn);
        float notOutLevel = Kernels.levelForAtLeast(firstNotOut);
        int sure = 0;
        int unsureCount = 0;
        for (int i = 0; i < loaded; i++) {
            int t = largest.position(i);
            float s = scores[t];
            // About half the candidates are surely in: tests without branches, then one rarely taken branch.
            int sureIn = Kernels.atLeast(s, inLevel);
            sure += sureIn;
            if ((Kernels.atLeast(s, notOutLevel) & (sureIn ^ 1)) != 0) {
                exact[t] = scorer.exact(keys[t]);
                unsure[unsureCount++] = t;
            }
        }
        int open = k - sure; // places left for the unsure keys
        selectFirst(unsure, unsureCount, open, keys);
        for (int u = 0; u < unsureCount; u++) {
            state[unsure[u]] = u < open ? IN : OUT;
        }
        // Compact in key order (ascending positions, w <= i <= t: in place), remembering each kept key's position
        // and whether its exact score is known (every value is written, the count moves past the kept ones).
        // (state IN is 1, OUT 0: an unsure key is kept iff its state's low bit is set.)
        int w = 0;
        for (int i = 0; i < loaded; i++) {
            int t = largest.position(i);
            float s = scores[t];
            int sureIn = Kernels.atLeast(s, inLevel);
            int isUnsure = Kernels.atLeast(s, notOutLevel) & (sureIn ^ 1);
            scores[w] = s;
            keys[w] = keys[t];
            unsure[w] = t;
            exactKnown[w] = (byte) isUnsure;
            w += sureIn | (state[t] & isUnsure);
        }
        if (!withCut) {
            noCut();
            return w;
        }
        // The lowest upper bound of a kept key's exact score: its exact score where known, else its float's + bound
        // (plain comparisons, rarely taken, where Math.min would chain every step on its NaN and -0.0 handling).
        float lowestFloat = Float.POSITIVE_INFINITY;
        double lowestExact = Double.POSITIVE_INFINITY;
        for (int i = 0; i < w; i++) {
            if (exactKnown[i] != 0) {
                double e = exactOrInfinity(exact[unsure[i]]);
                lowestExact = e < lowestExact ? e : lowestExact;
            } else if (scores[i] < lowestFloat) {
                lowestFloat = scores[i];
            }
        }
        cutAmongKept(scores, keys, w, Math.min(lowestExact, lowestFloat + bound), bound, scorer, true);
        return w;
    }

    /**
     * Sets the cut to the kept key ({@code scores/keys[0..w)}) of the lowest rank, looked for only among the keys
     * whose exact score could be as low as {@code lowestHigh} (the lowest upper bound of a kept key's exact score):
     * those whose exact score is known ({@code someKnown}: {@link #exactKnown}, the score in {@link #exact} at row
     * position {@link #unsure}{@code [i]}) and those whose float score minus the bound does not exceed it.
     */
    private void cutAmongKept(float[] scores, int[] keys, int w, double lowestHigh, double bound,
                              ExactTokenScores scorer, boolean someKnown) {
        int cut = -1;
        double cutExact = Double.NaN;
        for (int i = 0; i < w; i++) {
            boolean known = someKnown && exactKnown[i] != 0;
            if (!known && scores[i] - bound > lowestHigh) {
                continue;
            }
            double e = known ? exact[unsure[i]] : scorer.exact(keys[i]);
            if (cut < 0 || SelectionOrder.ranksBefore(cutExact, keys[cut], e, keys[i])) {
                cut = i;
                cutExact = e;
            }
        }
        cutScore = cutExact;
        cutKey = keys[cut];
    }

    /** Writes the implicit keys {@code 0 .. n-1} (the paths that read keys anywhere in the row). */
    private static void writeKeys(int[] keys, int n, boolean implicitKeys) {
        if (implicitKeys) {
            for (int t = 0; t < n; t++) {
                keys[t] = t;
            }
        }
    }

    private void noCut() {
        cutScore = Double.NaN;
        cutKey = -1;
    }

    /** The smallest float {@code f} with {@code f - bound > level} (in double), or +inf. */
    private static float firstAbove(double level, double bound) {
        float f = (float) (level + bound);
        while (!(f - bound > level) && f < Float.POSITIVE_INFINITY) {
            f = Math.nextUp(f);
        }
        while (f > Float.NEGATIVE_INFINITY && Math.nextDown(f) - bound > level) {
            f = Math.nextDown(f);
        }
        return f;
    }

    /** The smallest float {@code f} with {@code f + bound >= level} (in double), or +inf. */
    private static float firstReaching(double level, double bound) {
        float f = (float) (level - bound);
        while (!(f + bound >= level) && f < Float.POSITIVE_INFINITY) {
            f = Math.nextUp(f);
        }
        while (f > Float.NEGATIVE_INFINITY && Math.nextDown(f) + bound >= level) {
            f = Math.nextDown(f);
        }
        return f;
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
            exactKnown = new byte[n];
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
