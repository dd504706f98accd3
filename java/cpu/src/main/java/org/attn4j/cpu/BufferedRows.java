package org.attn4j.cpu;

import org.attn4j.Normalizer;
import org.attn4j.cpu.simd.TileKernels;

/**
 * Rows held whole, as (key, score) pairs of their allowed keys in ascending key order: what sparsemax and entmax
 * need for their threshold, token top-k for its selection, and the probabilities output for its dense rows. Scores
 * are computed tile by tile with the same kernel as everywhere else, so they agree bit for bit with the scores the
 * backward pass recomputes.
 */
public final class BufferedRows {
    private BufferedRows() {
    }

    /** Rows of a query tile that fit the row buffers at once, for rows with up to {@code keys} kept keys. */
    static int chunkRows(int rows, int keys) {
        return Math.max(1, Math.min(rows, Workspace.ROW_BUFFER_ENTRIES / Math.max(1, keys)));
    }

    /**
     * Fills {@code ws.rowScores/rowKeys/rowCounts[0..count)} with the allowed scores of tile rows
     * {@code first .. first + count - 1} (query rows already in {@code ws.queries}).
     *
     * @param i0           the query index of tile row 0
     * @param implicitKeys whether a row whose keys are all of {@code 0 .. count-1} so far may leave them unwritten
     *                     ({@code ws.rowKeysImplicit}): a row of full tiles then writes only its scores
     */
    static void gather(AttentionProblem p, int bh, int qt, int i0, int first, int count, Workspace ws,
                       boolean implicitKeys) {
        TileGeometry g = p.tiles;
        TilePlan plan = p.plan(bh);
        KeyValueHead kv = p.kvFor(bh);
        for (int r = 0; r < count; r++) {
            ws.rowCounts[r] = 0;
            ws.rowKeysImplicit[r] = implicitKeys;
        }
        float[] s = ws.scores;
        boolean[] allowed = ws.allowed;
        TileKernels kernels = SelectedKernels.get();
        float[][] rowQueries = ws.queryView = Workspace.grow(ws.queryView, count);
        int[] keyNumbers = ws.keyNumbers(p.nk);
        System.arraycopy(ws.queries, first, rowQueries, 0, count);
        for (int kt = 0; kt < g.keyTiles; kt++) {
            byte kind = plan.kind(qt, kt);
            if (kind == TilePlan.EMPTY) {
                continue;
            }
            int j0 = g.keyStart(kt);
            int n = Math.min(g.keyTile, p.nk - j0);
            float[][] keysT = kv.keysT[kt];
            if (kind == TilePlan.FULL) {
                // The whole tile at once (register-blocked), then each row appended to its buffer.
                float[][] tile = ws.tileScores;
                kernels.scoreRows(rowQueries, count, keysT, p.d, 0, n, tile);
                for (int r = 0; r < count; r++) {
                    int c = ws.rowCounts[r];
                    System.arraycopy(tile[r], 0, ws.rowScores[r], c, n);
                    if (!(ws.rowKeysImplicit[r] && c == j0)) {
                        writeImplicitKeys(ws, r, keyNumbers);
                        System.arraycopy(keyNumbers, j0, ws.rowKeys[r], c, n);
                    }
                    ws.rowCounts[r] = c + n;
                }
                continue;
            }
            for (int r = 0; r < count; r++) {
                int row = first + r;
                int from = 0;
                int to = n;
                boolean contiguous = true;
                if (kind == TilePlan.PARTIAL) {
                    int allowedCount = plan.maskRow(i0 + row, j0, n, allowed, ws.intervals, ws.span);
                    if (allowedCount == 0) {
                        continue;
                    }
                    from = ws.span[0];
                    to = ws.span[1];
                    contiguous = allowedCount == to - from;
                }
                kernels.scoreRow(ws.queries[row], keysT, p.d, from, to, s);
                writeImplicitKeys(ws, r, keyNumbers);
                float[] scores = ws.rowScores[r];
                int[] keys = ws.rowKeys[r];
                int c = ws.rowCounts[r];
                if (contiguous) {
                    System.arraycopy(s, from, scores, c, to - from);
                    System.arraycopy(keyNumbers, j0 + from, keys, c, to - from);
                    c += to - from;
                } else {
                    for (int t = ws.span[0]; t < ws.span[1]; t++) {
                        if (allowed[t]) {
                            scores[c] = s[t];
                            keys[c] = j0 + t;
                            c++;
                        }
                    }
                }
                ws.rowCounts[r] = c;
            }
        }
    }

    /** Writes row {@code r}'s keys so far ({@code 0 .. count-1}) if it left them implicit, and ends that. */
    private static void writeImplicitKeys(Workspace ws, int r, int[] keyNumbers) {
        if (ws.rowKeysImplicit[r]) {
            System.arraycopy(keyNumbers, 0, ws.rowKeys[r], 0, ws.rowCounts[r]);
            ws.rowKeysImplicit[r] = false;
        }
    }

    /**
     * Turns the scores {@code s[0..n)} of one row into weights in place and returns softmax's log-sum-exp itself
     * (the row's LSE as an output holds it), or sparsemax's / entmax's tau relative to the row's x-maximum; an empty
     * row gives {@link #emptyRow}, a NaN row NaN. Unlike {@link #normalize(Normalizer, float[], int, float, float[],
     * double[])}, whose softmax statistic is relative to the row's maximum.
     *
     * @param scratch length >= n
     */
    public static double normalize(Normalizer normalizer, float[] s, int n, float[] scratch) {
        float max = Kernels.max(s, n);
        double[] scratchD = normalizer == Normalizer.SOFTMAX ? null : new double[Math.max(1, n)];
        double stat = normalize(normalizer, s, n, max, scratch, scratchD);
        return normalizer == Normalizer.SOFTMAX && n > 0 ? max + stat : stat;
    }

    /**
     * Turns the scores {@code s[0..n)} of one row, whose largest is {@code max} ({@link Kernels#max}), into weights
     * in place and returns the row's statistic relative to {@code max}: softmax's log-sum-exp minus {@code max}, or
     * sparsemax's / entmax's tau relative to the row's x-maximum ({@link SparseThresholds}); relative, because
     * {@code max} plus it may not be representable (huge scores). An empty row ({@code n == 0}) gives
     * {@link #emptyRow}; a NaN row ({@link #isNaNRow}) gives NaN weights and NaN.
     *
     * @param scratch  length >= n
     * @param scratchD length >= n
     */
    public static double normalize(Normalizer normalizer, float[] s, int n, float max, float[] scratch,
                                   double[] scratchD) {
        if (n == 0) {
            return emptyRow(normalizer);
        }
        if (isNaNRow(max)) {
            Kernels.fill(s, 0, n, Float.NaN);
            return Double.NaN;
        }
        switch (normalizer) {
            case SOFTMAX: {
                float sum = FastExp.expShifted(s, max, n, scratch);
                Kernels.scale(s, 1f / sum, n);
                return Math.log(sum);
            }
            case SPARSEMAX: {
                double tau = SparseThresholds.threshold(normalizer, s, n, max, scratchD);
                SparseThresholds.sparsemaxWeights(s, n, max, tau);
                return tau;
            }
            case ENTMAX15: {
                double tau = SparseThresholds.threshold(normalizer, s, n, max, scratchD);
                SparseThresholds.entmaxWeights(s, n, max, tau);
                return tau;
            }
            default:
                throw new IllegalStateException("unknown normalizer " + normalizer);
        }
    }

    /**
     * The statistic of a row with no allowed key: softmax's LSE {@code -inf}, a sparse tau of {@code +inf}; either
     * gives every key weight 0.
     */
    static double emptyRow(Normalizer normalizer) {
        return normalizer == Normalizer.SOFTMAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /**
     * Whether a non-empty row whose largest score is {@code max} is a NaN row (SPEC): a NaN score, a +inf score
     * (inf - inf in every normalizer), or every score -inf (-inf - -inf).
     */
    static boolean isNaNRow(float max) {
        return !Float.isFinite(max);
    }
}
