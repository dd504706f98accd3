package org.attn4j.decode;

import java.util.Arrays;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.SlidingWindow;

/**
 * The keys a decode query keeps before token top-k (SPEC, "Decoding with a KV cache"), as intervals, computed from
 * the masks and, for block top-k, from the cached block means only: the keys themselves are not read. Shared by
 * providers and the forward-pass fallback so that all pick the same blocks from the same statistics: scores are
 * {@code scale * dot(q, mean)} in float64, the dot product summed in component order without fused multiply-add, and
 * ties go to the lower block.
 *
 * <p>For query row {@code i} of a sequence holding {@code L} positions, at position {@code i' = L - Nq + i}:
 * <ul>
 *   <li>static: causal {@code j <= i'}, the window {@code i' - left <= j} waived where {@code j < G} or
 *       {@code 0 <= i' < G}, the block mask {@code M[i' / BQ, j / BK]};</li>
 *   <li>block top-k ({@code k}, blocks of the cache's {@code blockSize}): the row always keeps its own block (the
 *       newest keys) and, with a window, every key the window allows; of the other blocks holding an allowed key
 *       not yet kept (causal and block mask; the window does not restrict them), it keeps the {@code k} of highest
 *       score. Kept keys still obey causality and the block mask. Chosen per group
 *       ({@link DecodeRequest#blockTopKPerGroup()}), a block's score uses the mean of the group's queries (float64,
 *       summed in head order), and a candidate holds such a key for any head of the group.</li>
 * </ul>
 */
public final class DecodeSelection {
    private final int queries;
    private final double scale;
    private final boolean windowed;
    private final int left;
    private final int global;
    private final BlockMask mask;
    private final int topK;
    private final boolean perGroup;
    private final int blockSize;
    private final int queryHeads;
    private final int group;
    private final int headDim;

    private DecodeSelection(DecodeRequest r) {
        this.queries = r.queryLength();
        this.scale = r.scale();
        SlidingWindow w = r.window().orElse(null);
        this.windowed = w != null;
        this.left = w != null ? w.left() : 0;
        this.global = w != null ? w.globalTokens() : 0;
        this.mask = r.blockMask().orElse(null);
        this.topK = r.blockTopK().orElse(0);
        this.perGroup = r.blockTopKPerGroup();
        this.blockSize = r.cache().blockSize();
        this.queryHeads = r.queryHeads();
        this.group = r.groupSize();
        this.headDim = r.headDim();
    }

    public static DecodeSelection of(DecodeRequest r) {
        return new DecodeSelection(r);
    }

    /** Whether block top-k applies (and {@link #keptKeys} needs block means). */
    public boolean hasBlockTopK() {
        return topK > 0;
    }

    /**
     * Fills {@code out} with the keys that query row {@code i} of sequence {@code b}, query head {@code h} keeps.
     *
     * @param length  positions the sequence holds
     * @param q       the queries {@code [B, Hq, Nq, D]} as the tensor holds them (unscaled); this row's at
     *                {@code ((b * Hq + h) * Nq + i) * D}
     * @param meansT  for block top-k, the mean keys of the head's kv head transposed: {@code meansT[c][kb]} is
     *                component {@code c} of block {@code kb}'s float64 sum divided by its size; only complete blocks
     *                before the row's own are read
     */
    public void keptKeys(int b, int h, int i, int length, float[] q, double[][] meansT, KeptKeys out) {
        out.clear();
        int ip = length - queries + i;
        if (ip < 0) {
            return;
        }
        int chosen = topK == 0 ? 0 : choose(b, h, ip, i, q, meansT, out);
        assemble(b, h, ip, out.ids, chosen, out);
    }

    /**
     * Whether every query head of a kv head group keeps the same blocks by score (block top-k chosen per group), so
     * that {@link #chooseBlocks} once per group and {@link #keptKeysChosen} per head give what {@link #keptKeys}
     * gives each head, at a quarter of the scoring for a group of four.
     */
    public boolean choosesPerGroup() {
        return topK > 0 && perGroup;
    }

    /**
     * The blocks that query row {@code i} of sequence {@code b} and the group of query head {@code h} keep by score,
     * left in {@code choice} for {@link #keptKeysChosen}; returns how many.
     *
     * @throws IllegalStateException when block top-k is not chosen per group ({@link #choosesPerGroup})
     */
    public int chooseBlocks(int b, int h, int i, int length, float[] q, double[][] meansT, KeptKeys choice) {
        if (!choosesPerGroup()) {
            throw new IllegalStateException("blocks are chosen per group only under per-group block top-k");
        }
        choice.clear();
        int ip = length - queries + i;
        return ip < 0 ? 0 : choose(b, h, ip, i, q, meansT, choice);
    }

    /**
     * {@link #keptKeys} for query head {@code h}, with the {@code chosen} blocks that {@link #chooseBlocks} left in
     * {@code choice} for a head of the same group, sequence and row ({@code out} must be another object).
     */
    public void keptKeysChosen(int b, int h, int i, int length, KeptKeys choice, int chosen, KeptKeys out) {
        if (choice == out) {
            throw new IllegalArgumentException("out must not be the choice it reads");
        }
        out.clear();
        int ip = length - queries + i;
        if (ip >= 0) {
            assemble(b, h, ip, choice.ids, chosen, out);
        }
    }

    /** Scores the candidate blocks of row {@code ip}, moves the best to {@code out.ids} (ascending); how many. */
    private int choose(int b, int h, int ip, int i, float[] q, double[][] meansT, KeptKeys out) {
        int[] w = new int[4];
        int wn = windowed ? windowIntervals(ip, ip + 1, w) : 0; // without a window only the own block is free
        int own = ip / blockSize;
        out.ensureCandidates(own);
        // Every block's score at once, a saxpy per component (vectorizable), which adds the products of each
        // score in component order: the same sum, bit for bit, as a dot product loop.
        double[] all = out.allScores(own);
        java.util.Arrays.fill(all, 0, own, 0.0);
        double[] query = query(b, h, i, q, out);
        for (int c = 0; c < meansT.length; c++) {
            double qc = query[c];
            double[] m = meansT[c];
            for (int kb = 0; kb < own; kb++) {
                all[kb] += qc * m[kb];
            }
        }
        int n = 0;
        if (mask == null && wn == 0) {
            // Every block before the own one holds a key not yet kept: all are candidates (the common case, kept
            // free of the per-block test).
            for (int kb = 0; kb < own; kb++) {
                out.ids[kb] = kb;
                out.scores[kb] = scale * all[kb];
            }
            n = own;
        } else {
            for (int kb = 0; kb < own; kb++) {
                int j0 = kb * blockSize;
                if (candidate(b, h, ip, j0, j0 + blockSize, w, wn)) {
                    out.ids[n] = kb;
                    out.scores[n] = scale * all[kb];
                    n++;
                }
            }
        }
        return selectBest(out.ids, out.scores, n, topK);
    }

    /** Fills {@code out} with row {@code ip}'s kept keys: its window (if any), the chosen blocks and its own block. */
    private void assemble(int b, int h, int ip, int[] ids, int chosen, KeptKeys out) {
        int hi = ip + 1;
        int[] w = new int[4];
        int wn = windowIntervals(ip, hi, w);
        if (topK == 0) {
            for (int t = 0; t < wn; t++) {
                addMasked(out, b, h, ip, w[2 * t], w[2 * t + 1]);
            }
            return;
        }
        if (!windowed) {
            wn = 0; // without a window nothing is kept for free but the own block
        }
        int own = ip / blockSize;
        // The kept union: window intervals, chosen blocks, own block; each list is sorted, so merge them by start.
        out.ensurePieces(2 * (chosen + 3));
        int[] p = out.pieces;
        int pn = 0;
        for (int t = 0; t < wn; t++) {
            p[pn++] = w[2 * t];
            p[pn++] = w[2 * t + 1];
        }
        for (int t = 0; t < chosen; t++) {
            p[pn++] = ids[t] * blockSize;
            p[pn++] = ids[t] * blockSize + blockSize;
        }
        p[pn++] = own * blockSize;
        p[pn++] = hi;
        sortPairs(p, pn / 2);
        int curLo = p[0];
        int curHi = p[1];
        for (int t = 1; t < pn / 2; t++) {
            if (p[2 * t] <= curHi) {
                curHi = Math.max(curHi, p[2 * t + 1]);
            } else {
                addMasked(out, b, h, ip, curLo, curHi);
                curLo = p[2 * t];
                curHi = p[2 * t + 1];
            }
        }
        addMasked(out, b, h, ip, curLo, curHi);
    }

    /** The query that scores blocks: this row's, or the mean of its group's rows (float64, summed in head order). */
    private double[] query(int b, int h, int i, float[] q, KeptKeys out) {
        double[] query = out.query(headDim);
        if (!perGroup) {
            int base = ((b * queryHeads + h) * queries + i) * headDim;
            for (int c = 0; c < headDim; c++) {
                query[c] = q[base + c];
            }
            return query;
        }
        java.util.Arrays.fill(query, 0, headDim, 0.0);
        int first = h - h % group;
        for (int g = first; g < first + group; g++) {
            int base = ((b * queryHeads + g) * queries + i) * headDim;
            for (int c = 0; c < headDim; c++) {
                query[c] += q[base + c];
            }
        }
        for (int c = 0; c < headDim; c++) {
            query[c] /= group;
        }
        return query;
    }

    /** A candidate block holds a key not kept yet that the block mask allows (for any head of the group, per group). */
    private boolean candidate(int b, int h, int ip, int j0, int j1, int[] w, int wn) {
        if (!perGroup) {
            return hasKeyOutside(b, h, ip, j0, j1, w, wn);
        }
        int first = h - h % group;
        for (int g = first; g < first + group; g++) {
            if (hasKeyOutside(b, g, ip, j0, j1, w, wn)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A kv head's block means, transposed ({@code [D][blocks]}), from its running sums
     * {@code sums[offset + kb * d + c]}.
     */
    public static double[][] meansFromSums(double[] sums, int offset, int blocks, int d, int blockSize,
                                           int length) {
        double[][] meansT = new double[d][blocks];
        for (int kb = 0; kb < blocks; kb++) {
            int count = Math.min(blockSize, length - kb * blockSize);
            for (int c = 0; c < d; c++) {
                meansT[c][kb] = sums[offset + kb * d + c] / count;
            }
        }
        return meansT;
    }

    /** The window and global keys of position {@code ip}, cut at {@code hi}: up to two intervals into {@code w}. */
    private int windowIntervals(int ip, int hi, int[] w) {
        if (!windowed || ip < global) {
            w[0] = 0;
            w[1] = hi;
            return 1;
        }
        int wLo = (int) Math.max(0L, (long) ip - left);
        int gHi = Math.min(global, hi);
        if (gHi > 0 && wLo <= gHi) {
            w[0] = 0;
            w[1] = hi;
            return 1;
        }
        int n = 0;
        if (gHi > 0) {
            w[n++] = 0;
            w[n++] = gHi;
        }
        w[n++] = wLo;
        w[n++] = hi;
        return n / 2;
    }

    /** Whether block {@code [j0, j1)} holds a key the block mask allows outside the {@code wn} intervals of w. */
    private boolean hasKeyOutside(int b, int h, int ip, int j0, int j1, int[] w, int wn) {
        int from = j0;
        for (int t = 0; t <= wn; t++) {
            int to = t < wn ? Math.min(j1, w[2 * t]) : j1;
            if (to > from && anyMasked(b, h, ip, from, to)) {
                return true;
            }
            if (t < wn) {
                from = Math.max(from, w[2 * t + 1]);
            }
            if (from >= j1) {
                return false;
            }
        }
        return false;
    }

    private boolean anyMasked(int b, int h, int ip, int lo, int hi) {
        if (mask == null) {
            return true;
        }
        int qb = ip / mask.blockQ();
        int bk = mask.blockK();
        for (int kb = lo / bk; (long) kb * bk < hi; kb++) {
            if (mask.get(b, h, qb, kb)) {
                return true;
            }
        }
        return false;
    }

    private void addMasked(KeptKeys out, int b, int h, int ip, int lo, int hi) {
        if (mask == null) {
            out.add(lo, hi);
            return;
        }
        int qb = ip / mask.blockQ();
        int bk = mask.blockK();
        for (int kb = lo / bk; (long) kb * bk < hi; kb++) {
            if (mask.get(b, h, qb, kb)) {
                out.add((int) Math.max(lo, (long) kb * bk), (int) Math.min(hi, (long) kb * bk + bk));
            }
        }
    }

    /**
     * Moves the best {@code k} of {@code ids/scores[0..n)} (higher score first by {@link Double#compare}, then the
     * lower id) to the front, ids ascending; returns how many (at most k).
     */
    static int selectBest(int[] ids, double[] scores, int n, int k) {
        if (n <= k) {
            return n;
        }
        // A heap of the k best so far, the worst at the root.
        for (int t = k / 2 - 1; t >= 0; t--) {
            siftDown(ids, scores, t, k);
        }
        for (int t = k; t < n; t++) {
            if (better(scores[t], ids[t], scores[0], ids[0])) {
                ids[0] = ids[t];
                scores[0] = scores[t];
                siftDown(ids, scores, 0, k);
            }
        }
        Arrays.sort(ids, 0, k);
        return k;
    }

    private static boolean better(double sa, int ia, double sb, int ib) {
        int c = Double.compare(sa, sb);
        return c > 0 || (c == 0 && ia < ib);
    }

    private static void siftDown(int[] ids, double[] scores, int t, int size) {
        while (true) {
            int l = 2 * t + 1;
            if (l >= size) {
                return;
            }
            int worst = l;
            int r = l + 1;
            if (r < size && better(scores[worst], ids[worst], scores[r], ids[r])) {
                worst = r;
            }
            if (!better(scores[t], ids[t], scores[worst], ids[worst])) {
                return;
            }
            int id = ids[t];
            double s = scores[t];
            ids[t] = ids[worst];
            scores[t] = scores[worst];
            ids[worst] = id;
            scores[worst] = s;
            t = worst;
        }
    }

    /** Sorts {@code n} pairs {@code (p[2t], p[2t+1])} by their first element (few pairs: insertion sort). */
    private static void sortPairs(int[] p, int n) {
        for (int a = 1; a < n; a++) {
            int s = p[2 * a];
            int e = p[2 * a + 1];
            int c = a - 1;
            while (c >= 0 && p[2 * c] > s) {
                p[2 * c + 2] = p[2 * c];
                p[2 * c + 3] = p[2 * c + 1];
                c--;
            }
            p[2 * c + 2] = s;
            p[2 * c + 3] = e;
        }
    }
}
