package org.attn4j.cpu;

import java.util.concurrent.atomic.LongAdder;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.cpu.simd.TileKernels;

/**
 * The forward pass, one task per (batch, query head, query tile), FlashAttention style: the tile's query rows stay
 * in scratch while the kept key tiles stream past.
 *
 * <p>Softmax without token top-k or probabilities is computed online (running max and sum, rescaling the output
 * accumulator when the max grows), with no buffer of scores beyond one tile row. The other cases hold each row's
 * allowed scores ({@link BufferedRows}) because the normalizer or the selection needs the whole row first.
 */
final class ForwardPass {
    private final AttentionProblem p;
    private final Tensor output;
    private final Tensor lse;
    private final Tensor probabilities;
    private final boolean buffered;
    private final LongAdder pairs = new LongAdder();

    ForwardPass(AttentionProblem p, Tensor output, Tensor lse, Tensor probabilities) {
        this.p = p;
        this.output = output;
        this.lse = lse;
        this.probabilities = probabilities;
        this.buffered = p.normalizer != Normalizer.SOFTMAX || p.tokenTopK > 0 || probabilities != null;
    }

    /** Computes every tile; returns the number of (query, key) pairs attended. */
    long run() {
        int qTiles = p.tiles.queryTiles;
        CpuThreads.forEach(p.batch * p.queryHeads * qTiles, p.denseFlops(), task -> {
            Workspace ws = Workspace.get();
            ws.prepareTiles(p.tiles.queryTile, p.tiles.keyTile, p.d, p.dv);
            if (buffered) {
                bufferedTile(task / qTiles, task % qTiles, ws);
            } else {
                onlineSoftmaxTile(task / qTiles, task % qTiles, ws);
            }
        });
        return pairs.sum();
    }

    private void onlineSoftmaxTile(int bh, int qt, Workspace ws) {
        TileGeometry g = p.tiles;
        int i0 = g.queryStart(qt);
        int rows = Math.min(g.queryTile, p.nq - i0);
        int dv = p.dv;
        p.loadQueries(bh, i0, rows, ws, ws.queries);
        float[] m = ws.rowMax;
        double[] l = ws.rowSum;
        float[][] o = ws.out;
        // seen: the row has an allowed key (else it is empty); nan: a NaN or +inf score made it a NaN row.
        boolean[] seen = ws.rowSeen;
        boolean[] nan = ws.rowNaN;
        for (int r = 0; r < rows; r++) {
            m[r] = Float.NEGATIVE_INFINITY;
            l[r] = 0;
            seen[r] = false;
            nan[r] = false;
            Kernels.clear(o[r], dv);
        }
        KeyValueHead kv = p.kvFor(bh);
        TilePlan plan = p.plan(bh);
        TileKernels kernels = SelectedKernels.get();
        float[] s = ws.scores;
        boolean[] allowed = ws.allowed;
        long kept = 0;
        for (int kt = 0; kt < g.keyTiles; kt++) {
            byte kind = plan.kind(qt, kt);
            if (kind == TilePlan.EMPTY) {
                continue;
            }
            int j0 = g.keyStart(kt);
            int n = Math.min(g.keyTile, p.nk - j0);
            float[][] keysT = kv.keysT[kt];
            if (kind == TilePlan.FULL) {
                fullTile(kernels, rows, keysT, kv.values, j0, n, ws);
                kept += (long) rows * n;
                continue;
            }
            for (int r = 0; r < rows; r++) {
                int count = plan.maskRow(i0 + r, j0, n, allowed, ws.intervals, ws.span);
                if (count == 0) {
                    continue;
                }
                kept += count;
                seen[r] = true;
                if (nan[r]) {
                    continue;
                }
                int from = ws.span[0];
                int to = ws.span[1];
                kernels.scoreRow(ws.queries[r], keysT, p.d, from, to, s);
                if (count < to - from) {
                    for (int t = from; t < to; t++) {
                        if (!allowed[t]) {
                            s[t] = Float.NEGATIVE_INFINITY;
                        }
                    }
                }
                if (weighRow(kernels, r, s, from, to, ws)) {
                    Kernels.addWeightedRows(o[r], s, kv.values, j0, from, to, dv, !p.inputsFinite);
                }
            }
        }
        float[] rowLse = ws.rowLse;
        for (int r = 0; r < rows; r++) {
            if (!seen[r]) {
                Kernels.clear(o[r], dv);
                rowLse[r] = Float.NEGATIVE_INFINITY;
            } else if (nan[r] || m[r] == Float.NEGATIVE_INFINITY) {
                // SPEC: a NaN or +inf score, or every score -inf, makes the row NaN, never an empty row.
                Kernels.fill(o[r], 0, dv, Float.NaN);
                rowLse[r] = Float.NaN;
            } else {
                Kernels.scale(o[r], (float) (1.0 / l[r]), dv);
                rowLse[r] = (float) (m[r] + Math.log(l[r]));
            }
        }
        finish(bh, i0, rows, kept, ws);
    }

    /**
     * A tile without masking, all rows at once: the scores of the whole tile by the register-blocked kernel, the
     * online softmax row by row, then the weighted values of the whole tile. Rows that add nothing (NaN rows, rows
     * whose scores are all -inf) get zero weights.
     */
    private void fullTile(TileKernels kernels, int rows, float[][] keysT, float[][] values, int j0, int n,
                          Workspace ws) {
        float[][] tile = ws.tileScores;
        kernels.scoreRows(ws.queries, rows, keysT, p.d, 0, n, tile);
        for (int r = 0; r < rows; r++) {
            ws.rowSeen[r] = true;
            if (ws.rowNaN[r] || !weighRow(kernels, r, tile[r], 0, n, ws)) {
                Kernels.clear(tile[r], n);
            }
        }
        if (p.inputsFinite) {
            kernels.addWeightedRows(ws.out, tile, rows, values, j0, 0, n, p.dv);
        } else {
            for (int r = 0; r < rows; r++) {
                Kernels.addWeightedRows(ws.out[r], tile[r], values, j0, 0, n, p.dv, true);
            }
        }
    }

    /**
     * The online softmax step of row {@code r} over the scores {@code s[from..to)} of one tile: tracks a NaN row,
     * raises the running max (rescaling the row's sum and accumulator), turns the scores into weights in place and
     * adds them to the running sum. Returns whether the weights are to be added (false: NaN row, or all -inf).
     */
    private boolean weighRow(TileKernels kernels, int r, float[] s, int from, int to, Workspace ws) {
        float tileMax = kernels.max(s, from, to);
        if (!(tileMax < Float.POSITIVE_INFINITY)) {
            ws.rowNaN[r] = true;
            return false;
        }
        if (tileMax == Float.NEGATIVE_INFINITY) {
            return false;
        }
        float[] m = ws.rowMax;
        if (tileMax > m[r]) {
            if (m[r] != Float.NEGATIVE_INFINITY) {
                float correction = (float) Math.exp(m[r] - tileMax);
                Kernels.scale(ws.out[r], correction, p.dv);
                ws.rowSum[r] *= correction;
            }
            m[r] = tileMax;
        }
        ws.rowSum[r] += kernels.expShifted(s, m[r], from, to, ws.expScratch);
        return true;
    }

    private void bufferedTile(int bh, int qt, Workspace ws) {
        TileGeometry g = p.tiles;
        int i0 = g.queryStart(qt);
        int rows = Math.min(g.queryTile, p.nq - i0);
        int dv = p.dv;
        p.loadQueries(bh, i0, rows, ws, ws.queries);
        if (p.tokenTopK > 0) {
            p.loadRawQueries(bh, i0, rows, ws);
        }
        KeyValueHead kv = p.kvFor(bh);
        TileKernels kernels = SelectedKernels.get();
        int capacity = Math.max(1, p.plan(bh).keysInRow(qt, p.nk));
        int chunk = BufferedRows.chunkRows(rows, capacity);
        ws.prepareRows(chunk, capacity);
        if (probabilities != null) {
            ws.denseRow = Workspace.grow(ws.denseRow, p.nk);
        }
        long kept = 0;
        for (int first = 0; first < rows; first += chunk) {
            int count = Math.min(chunk, rows - first);
            // Token top-k writes its kept keys itself: rows of full tiles need not write every key first.
            BufferedRows.gather(p, bh, qt, i0, first, count, ws, p.tokenTopK > 0);
            for (int c = 0; c < count; c++) {
                int r = first + c;
                float[] weights = ws.rowScores[c];
                int[] keys = ws.rowKeys[c];
                int n = ws.rowCounts[c];
                if (p.tokenTopK > 0) {
                    n = ws.selection.keep(weights, keys, n, p.tokenTopK, p.exactScores(bh, r, ws), kernels,
                            false, ws.rowKeysImplicit[c]); // the backward pass selects again, with its cut
                }
                kept += n;
                float max = Kernels.max(weights, n);
                double stat = BufferedRows.normalize(p.normalizer, weights, n, max, ws.rowScratch, ws.rowScratchD);
                ws.rowLse[r] = p.normalizer == Normalizer.SOFTMAX ? (float) (max + stat) : Float.NaN;
                float[] o = ws.out[r];
                Kernels.clear(o, dv);
                if (p.inputsFinite) {
                    kernels.addWeightedIndexedRows(o, weights, keys, kv.values, n, dv);
                } else {
                    Kernels.addWeightedIndexedRows(o, weights, keys, kv.values, n, dv, true);
                }
                if (probabilities != null) {
                    float[] dense = ws.denseRow;
                    Kernels.clear(dense, p.nk);
                    for (int t = 0; t < n; t++) {
                        dense[keys[t]] = weights[t];
                    }
                    probabilities.copyFrom(dense, 0, ((long) bh * p.nq + i0 + r) * p.nk, p.nk);
                }
            }
        }
        finish(bh, i0, rows, kept, ws);
    }

    private void finish(int bh, int i0, int rows, long kept, Workspace ws) {
        AttentionProblem.writeRows(output, bh, p.nq, p.dv, i0, rows, ws.out, ws.flatOut);
        if (lse != null) {
            lse.copyFrom(ws.rowLse, 0, (long) bh * p.nq + i0, rows);
        }
        pairs.add(kept);
    }
}
