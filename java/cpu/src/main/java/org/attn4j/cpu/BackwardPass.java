package org.attn4j.cpu;

import org.attn4j.Normalizer;
import org.attn4j.Tensor;

/**
 * The backward pass, FlashAttention-2 style: nothing of size {@code Nq x Nk} is stored; scores and weights are
 * recomputed tile by tile from per-row statistics.
 *
 * <ol>
 *   <li>Row statistics, per (batch, query head, query tile): softmax's LSE (read from the forward when given), or
 *       the threshold tau of sparsemax / entmax-1.5; token top-k's cut; and {@code delta_i}, the row term of the
 *       normalizer's vector-Jacobian product.</li>
 *   <li>dK and dV, per (batch, key/value head, key tile): every query head of the group and every query tile that
 *       keeps this key tile add into the tile's accumulators, so no two tasks write the same rows.</li>
 *   <li>dQ, per (batch, query head, query tile), over the kept key tiles.</li>
 * </ol>
 *
 * <p>Every normalizer's gradient has the form {@code dS_ij = w_ij (dP_ij - delta_i)} with {@code dP = dO V^T}:
 * softmax {@code w = p}, {@code delta = dO . O}; sparsemax {@code w = [p > 0]}, {@code delta} the mean of dP over
 * the support; entmax-1.5 {@code w = sqrt(p)}, {@code delta = sum w dP / sum w}. Then {@code dV = P^T dO},
 * {@code dK = scale dS^T Q}, {@code dQ = scale dS K}. Dynamic selections are recomputed and act as fixed masks.
 */
final class BackwardPass {
    /** The largest magnitude of a forward LSE the weights are recomputed from ({@link #forwardLseIsPrecise}). */
    private static final float PRECISE_LSE = 64f;

    private final AttentionProblem p;
    private final Tensor output;
    private final Tensor lseIn;
    private final Tensor gradOutput;
    private final Tensor dq;
    private final Tensor dk;
    private final Tensor dv;
    /**
     * Per row {@code bh * Nq + i}: softmax's log-sum-exp, or tau of sparsemax / entmax, relative to
     * {@link #rowMax}; {@link BufferedRows#emptyRow} for a row with no allowed key, NaN for a NaN row (SPEC,
     * non-finite input).
     */
    private final double[] rowStat;
    /**
     * Per row, the shift {@link #rowStat} is relative to: the largest allowed score, or 0 where softmax takes the
     * forward's LSE as it is. Kept apart from the statistic because their sum may not be representable: the LSE
     * of scores of 2^60 tied in pairs is 2^60 + log 2, which is 2^60 in float and in double.
     */
    private final float[] rowMax;
    private final float[] delta;
    /** Token top-k cut per row ({@link TokenSelection}), when token top-k is on. */
    private final double[] cutScore;
    private final int[] cutKey;
    /** Skip every zero weight in weighted sums: some input (Q, K, V, dO) is NaN or infinite. */
    private final boolean everyZero;

    BackwardPass(AttentionProblem p, Tensor output, Tensor lse, Tensor gradOutput, Tensor dq, Tensor dk,
                 Tensor dv) {
        this.p = p;
        this.output = output;
        this.lseIn = lse;
        this.gradOutput = gradOutput;
        this.dq = dq;
        this.dk = dk;
        this.dv = dv;
        int rows = p.batch * p.queryHeads * p.nq;
        this.rowStat = new double[rows];
        this.rowMax = new float[rows];
        this.delta = new float[rows];
        this.cutScore = p.tokenTopK > 0 ? new double[rows] : null;
        this.cutKey = p.tokenTopK > 0 ? new int[rows] : null;
        this.everyZero = !p.inputsFinite || !AttentionProblem.isFinite(gradOutput);
    }

    void run() {
        TileGeometry g = p.tiles;
        int qTasks = p.batch * p.queryHeads * g.queryTiles;
        long flops = p.denseFlops();
        CpuThreads.forEach(qTasks, flops, task -> rowStatistics(task / g.queryTiles, task % g.queryTiles,
                prepared()));
        CpuThreads.forEach(p.batch * p.kvHeads * g.keyTiles, flops * 2, task ->
                keyValueTile(task / g.keyTiles, task % g.keyTiles, prepared()));
        CpuThreads.forEach(qTasks, flops * 2, task -> queryTile(task / g.queryTiles, task % g.queryTiles,
                prepared()));
    }

    private Workspace prepared() {
        Workspace ws = Workspace.get();
        TileGeometry g = p.tiles;
        ws.prepareBackward(g.queryTile, g.keyTile, p.d, p.dv);
        ws.flatOut = Workspace.grow(ws.flatOut, Math.max(g.queryTile, g.keyTile) * Math.max(p.d, p.dv));
        return ws;
    }

    // ---- 1. row statistics ----

    private void rowStatistics(int bh, int qt, Workspace ws) {
        TileGeometry g = p.tiles;
        int i0 = g.queryStart(qt);
        int rows = Math.min(g.queryTile, p.nq - i0);
        int base = bh * p.nq + i0;
        AttentionProblem.readRows(gradOutput, bh, p.nq, p.dv, i0, rows, ws.flatIn, ws.gradOut);
        boolean softmax = p.normalizer == Normalizer.SOFTMAX;
        if (softmax) {
            AttentionProblem.readRows(output, bh, p.nq, p.dv, i0, rows, ws.flatIn, ws.out);
            for (int r = 0; r < rows; r++) {
                delta[base + r] = SelectedKernels.get().dotInScoreOrder(ws.gradOut[r], ws.out[r], p.dv);
            }
        }
        if (softmax && p.tokenTopK == 0) {
            if (lseIn != null && forwardLseIsPrecise(base, rows, ws)) {
                for (int r = 0; r < rows; r++) {
                    rowMax[base + r] = 0f;
                    rowStat[base + r] = ws.rowLse[r];
                }
            } else {
                softmaxStatistics(bh, qt, i0, rows, ws);
            }
            return;
        }
        p.loadQueries(bh, i0, rows, ws, ws.queries);
        if (p.tokenTopK > 0) {
            p.loadRawQueries(bh, i0, rows, ws);
        }
        KeyValueHead kv = p.kvFor(bh);
        int capacity = Math.max(1, p.plan(bh).keysInRow(qt, p.nk));
        int chunk = BufferedRows.chunkRows(rows, capacity);
        ws.prepareRows(chunk, capacity);
        for (int first = 0; first < rows; first += chunk) {
            int count = Math.min(chunk, rows - first);
            BufferedRows.gather(p, bh, qt, i0, first, count, ws, false);
            for (int c = 0; c < count; c++) {
                int r = first + c;
                float[] weights = ws.rowScores[c];
                int[] keys = ws.rowKeys[c];
                int n = ws.rowCounts[c];
                if (p.tokenTopK > 0) {
                    n = ws.selection.keep(weights, keys, n, p.tokenTopK, p.exactScores(bh, r, ws),
                            SelectedKernels.get(), true, false);
                    cutScore[base + r] = ws.selection.cutScore;
                    cutKey[base + r] = ws.selection.cutKey;
                }
                float max = Kernels.max(weights, n);
                double stat = BufferedRows.normalize(p.normalizer, weights, n, max, ws.rowScratch, ws.rowScratchD);
                rowStat[base + r] = stat;
                rowMax[base + r] = max;
                if (softmax || n == 0 || Double.isNaN(stat)) {
                    continue;
                }
                // delta = sum_j w_j dP_j / sum_j w_j over the support, w = 1 (sparsemax) or sqrt(p) (entmax),
                // with dP_j = dO . V_j computed exactly as the later passes compute it.
                double weighted = 0;
                double wSum = 0;
                for (int t = 0; t < n; t++) {
                    if (weights[t] > 0) {
                        double w = p.normalizer == Normalizer.SPARSEMAX ? 1 : (float) Math.sqrt(weights[t]);
                        weighted += w * SelectedKernels.get().dotInScoreOrder(ws.gradOut[r], kv.values[keys[t]],
                                p.dv);
                        wSum += w;
                    }
                }
                delta[base + r] = wSum > 0 ? (float) (weighted / wSum) : 0f;
            }
        }
    }

    /**
     * Reads the forward's LSE of rows {@code base ..} into {@code ws.rowLse}; whether each is precise enough to
     * recompute the weights from ({@code p = exp(s - LSE)}): a float LSE is within {@code |LSE| 2^-24} of the exact
     * one, which becomes the relative error of every weight, so up to {@link #PRECISE_LSE} (4e-6, a tenth of the
     * fp32 gradient tolerance). NaN and infinite LSEs (NaN rows, empty rows) are exact.
     */
    private boolean forwardLseIsPrecise(int base, int rows, Workspace ws) {
        lseIn.copyTo(ws.rowLse, 0, base, rows);
        for (int r = 0; r < rows; r++) {
            if (Math.abs(ws.rowLse[r]) > PRECISE_LSE && Float.isFinite(ws.rowLse[r])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Softmax statistics (row maximum and log-sum-exp relative to it) of rows without token top-k, when the
     * forward's LSE is missing or too coarse: an online pass without V.
     */
    private void softmaxStatistics(int bh, int qt, int i0, int rows, Workspace ws) {
        TileGeometry g = p.tiles;
        p.loadQueries(bh, i0, rows, ws, ws.queries);
        float[] m = ws.rowMax;
        double[] l = ws.rowSum;
        boolean[] seen = ws.rowSeen;
        boolean[] nan = ws.rowNaN;
        for (int r = 0; r < rows; r++) {
            m[r] = Float.NEGATIVE_INFINITY;
            l[r] = 0;
            seen[r] = false;
            nan[r] = false;
        }
        KeyValueHead kv = p.kvFor(bh);
        TilePlan plan = p.plan(bh);
        float[] s = ws.scores;
        for (int kt = 0; kt < g.keyTiles; kt++) {
            byte kind = plan.kind(qt, kt);
            if (kind == TilePlan.EMPTY) {
                continue;
            }
            int j0 = g.keyStart(kt);
            int n = Math.min(g.keyTile, p.nk - j0);
            for (int r = 0; r < rows; r++) {
                if (nan[r] || rowScores(plan, kind, kv, kt, i0 + r, j0, n, ws.queries[r], s, ws) == 0) {
                    continue;
                }
                seen[r] = true;
                int from = ws.span[0];
                int to = ws.span[1];
                float tileMax = Kernels.max(s, from, to);
                if (!(tileMax < Float.POSITIVE_INFINITY)) {
                    nan[r] = true;
                    continue;
                }
                if (tileMax == Float.NEGATIVE_INFINITY) {
                    continue;
                }
                if (tileMax > m[r]) {
                    if (m[r] != Float.NEGATIVE_INFINITY) {
                        l[r] *= Math.exp(m[r] - tileMax);
                    }
                    m[r] = tileMax;
                }
                l[r] += FastExp.expShifted(s, m[r], from, to, ws.expScratch);
            }
        }
        int base = bh * p.nq + i0;
        for (int r = 0; r < rows; r++) {
            rowMax[base + r] = m[r];
            rowStat[base + r] = !seen[r] ? Double.NEGATIVE_INFINITY
                    : nan[r] || m[r] == Float.NEGATIVE_INFINITY ? Double.NaN : Math.log(l[r]);
        }
    }

    /**
     * Scores of query row {@code i} against key tile {@code kt} into {@code s[span]}, where {@code ws.span} receives
     * the range holding the row's allowed keys; masked entries in it are {@code -inf}. Returns how many keys of the
     * tile the static masks allow the row (0: nothing was computed); when fewer than the span's width,
     * {@code ws.allowed} says which.
     */
    private int rowScores(TilePlan plan, byte kind, KeyValueHead kv, int kt, int i, int j0, int n, float[] q,
                          float[] s, Workspace ws) {
        if (kind == TilePlan.PARTIAL) {
            int count = plan.maskRow(i, j0, n, ws.allowed, ws.intervals, ws.span);
            if (count == 0) {
                return 0;
            }
            int from = ws.span[0];
            int to = ws.span[1];
            SelectedKernels.get().scoreRow(q, kv.keysT[kt], p.d, from, to, s);
            if (count < to - from) {
                for (int t = from; t < to; t++) {
                    if (!ws.allowed[t]) {
                        s[t] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            return count;
        }
        ws.span[0] = 0;
        ws.span[1] = n;
        SelectedKernels.get().scoreRow(q, kv.keysT[kt], p.d, 0, n, s);
        return n;
    }

    /**
     * For query row {@code i} (row {@code r} of its tile) and key tile {@code kt}: the weights {@code p_ij} into
     * {@code pRow} and {@code dS_ij}, the gradient with respect to the score, into {@code dsRow}. Returns false when
     * the row has no weight in this tile (both rows are then zero). A NaN row gives NaN at its kept keys, so its
     * gradient is NaN there and nowhere else.
     */
    private boolean rowGradient(int bh, TilePlan plan, byte kind, KeyValueHead kv, int kt, int i, int r, int j0,
                                int n, float[] q, float[] gradO, float[] pRow, float[] dsRow, Workspace ws) {
        int row = bh * p.nq + i;
        double stat = rowStat[row];
        int count = stat == BufferedRows.emptyRow(p.normalizer) ? 0
                : rowScores(plan, kind, kv, kt, i, j0, n, q, pRow, ws);
        if (count == 0) {
            Kernels.clear(pRow, n);
            Kernels.clear(dsRow, n);
            return false;
        }
        int from = ws.span[0];
        int to = ws.span[1];
        Kernels.clear(pRow, 0, from);
        Kernels.clear(pRow, to, n);
        Kernels.clear(dsRow, 0, from);
        Kernels.clear(dsRow, to, n);
        boolean[] kept = ws.kept;
        boolean allAllowed = count == to - from;
        for (int t = from; t < to; t++) {
            kept[t] = allAllowed || ws.allowed[t];
        }
        if (cutScore != null) {
            ExactTokenScores scorer = p.exactScores(bh, r, ws);
            double cut = cutScore[row];
            int lastKey = cutKey[row];
            for (int t = from; t < to; t++) {
                if (kept[t] && !TokenSelection.passes(pRow[t], j0 + t, cut, lastKey, scorer)) {
                    kept[t] = false;
                }
            }
        }
        boolean any = false;
        if (Double.isNaN(stat)) {
            for (int t = from; t < to; t++) {
                pRow[t] = kept[t] ? Float.NaN : 0f;
                dsRow[t] = pRow[t];
                any |= kept[t];
            }
            return any;
        }
        for (int t = from; t < to; t++) {
            if (!kept[t]) {
                pRow[t] = Float.NEGATIVE_INFINITY;
            }
        }
        // pRow[from, to) holds masked scores; turn them into p, and w into dsRow.
        switch (p.normalizer) {
            case SOFTMAX:
                float shift = rowMax[row];
                for (int t = from; t < to; t++) {
                    pRow[t] -= shift;
                }
                FastExp.expShifted(pRow, (float) stat, from, to, ws.expScratch);
                for (int t = from; t < to; t++) {
                    dsRow[t] = pRow[t];
                    any |= pRow[t] != 0f;
                }
                break;
            case SPARSEMAX:
                for (int t = from; t < to; t++) {
                    double v = SparseThresholds.margin(pRow[t], rowMax[row], 1.0, stat);
                    boolean in = v > 0;
                    pRow[t] = in ? (float) v : 0f;
                    dsRow[t] = in ? 1f : 0f;
                    any |= in;
                }
                break;
            case ENTMAX15:
                for (int t = from; t < to; t++) {
                    double v = SparseThresholds.margin(pRow[t], rowMax[row], 0.5, stat);
                    boolean in = v > 0;
                    pRow[t] = in ? (float) (v * v) : 0f;
                    dsRow[t] = in ? (float) v : 0f;
                    any |= in;
                }
                break;
            default:
                throw new IllegalStateException("unknown normalizer " + p.normalizer);
        }
        if (!any) {
            Kernels.clear(dsRow, from, to);
            return false;
        }
        float[] dp = ws.scores;
        SelectedKernels.get().scoreRow(gradO, kv.valuesT[kt], p.dv, from, to, dp);
        float dl = delta[row];
        for (int t = from; t < to; t++) {
            // SPEC: a key of weight 0 contributes nothing, even where dP or delta is NaN or infinite (0 * NaN).
            dsRow[t] = dsRow[t] == 0f ? 0f : dsRow[t] * (dp[t] - dl);
        }
        return true;
    }

    // ---- 2. dK and dV ----

    private void keyValueTile(int bkv, int kt, Workspace ws) {
        TileGeometry g = p.tiles;
        int b = bkv / p.kvHeads;
        int kvh = bkv % p.kvHeads;
        int j0 = g.keyStart(kt);
        int n = Math.min(g.keyTile, p.nk - j0);
        float[][] gradK = ws.gradK;
        float[][] gradV = ws.gradV;
        for (int t = 0; t < n; t++) {
            Kernels.clear(gradK[t], p.d);
            Kernels.clear(gradV[t], p.dv);
        }
        KeyValueHead kv = p.kv(bkv);
        for (int h = kvh * p.group; h < (kvh + 1) * p.group; h++) {
            int bh = b * p.queryHeads + h;
            TilePlan plan = p.plan(bh);
            for (int qt = 0; qt < g.queryTiles; qt++) {
                byte kind = plan.kind(qt, kt);
                if (kind == TilePlan.EMPTY) {
                    continue;
                }
                int i0 = g.queryStart(qt);
                int rows = Math.min(g.queryTile, p.nq - i0);
                p.loadQueries(bh, i0, rows, ws, ws.queries);
                p.loadRawQueries(bh, i0, rows, ws);
                AttentionProblem.readRows(gradOutput, bh, p.nq, p.dv, i0, rows, ws.flatIn, ws.gradOut);
                boolean any = false;
                for (int r = 0; r < rows; r++) {
                    any |= rowGradient(bh, plan, kind, kv, kt, i0 + r, r, j0, n, ws.queries[r], ws.gradOut[r],
                            ws.tileP[r], ws.tileDs[r], ws);
                }
                if (!any) {
                    continue;
                }
                for (int r = 0; r < rows; r++) {
                    float[] pr = ws.tileP[r];
                    float[] dsr = ws.tileDs[r];
                    for (int t = 0; t < n; t++) {
                        ws.tilePT[t][r] = pr[t];
                        ws.tileDsT[t][r] = dsr[t];
                    }
                }
                // dK = scale dS^T Q: the scale comes last, in double (a float scale may be subnormal).
                if (everyZero) {
                    for (int t = 0; t < n; t++) {
                        Kernels.addWeightedRows(gradK[t], ws.tileDsT[t], ws.rawQueries, 0, rows, p.d, true);
                        Kernels.addWeightedRows(gradV[t], ws.tilePT[t], ws.gradOut, 0, rows, p.dv, true);
                    }
                } else {
                    SelectedKernels.get().addWeightedRows(gradK, ws.tileDsT, n, ws.rawQueries, 0, 0, rows, p.d);
                    SelectedKernels.get().addWeightedRows(gradV, ws.tilePT, n, ws.gradOut, 0, 0, rows, p.dv);
                }
            }
        }
        for (int t = 0; t < n; t++) {
            Kernels.scale(gradK[t], p.exactScale, p.d);
        }
        AttentionProblem.writeRows(dk, bkv, p.nk, p.d, j0, n, gradK, ws.flatOut);
        AttentionProblem.writeRows(dv, bkv, p.nk, p.dv, j0, n, gradV, ws.flatOut);
    }

    // ---- 3. dQ ----

    private void queryTile(int bh, int qt, Workspace ws) {
        TileGeometry g = p.tiles;
        int i0 = g.queryStart(qt);
        int rows = Math.min(g.queryTile, p.nq - i0);
        p.loadQueries(bh, i0, rows, ws, ws.queries);
        if (p.tokenTopK > 0) {
            p.loadRawQueries(bh, i0, rows, ws);
        }
        AttentionProblem.readRows(gradOutput, bh, p.nq, p.dv, i0, rows, ws.flatIn, ws.gradOut);
        float[][] gradQ = ws.gradQ;
        for (int r = 0; r < rows; r++) {
            Kernels.clear(gradQ[r], p.d);
        }
        KeyValueHead kv = p.kvFor(bh);
        TilePlan plan = p.plan(bh);
        for (int kt = 0; kt < g.keyTiles; kt++) {
            byte kind = plan.kind(qt, kt);
            if (kind == TilePlan.EMPTY) {
                continue;
            }
            int j0 = g.keyStart(kt);
            int n = Math.min(g.keyTile, p.nk - j0);
            for (int r = 0; r < rows; r++) {
                if (rowGradient(bh, plan, kind, kv, kt, i0 + r, r, j0, n, ws.queries[r], ws.gradOut[r],
                        ws.tileP[r], ws.tileDs[r], ws)) {
                    Kernels.addWeightedRows(gradQ[r], ws.tileDs[r], kv.keys, j0, ws.span[0], ws.span[1], p.d,
                            everyZero);
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            Kernels.scale(gradQ[r], p.exactScale, p.d);
        }
        AttentionProblem.writeRows(dq, bh, p.nq, p.d, i0, rows, gradQ, ws.flatOut);
    }
}
