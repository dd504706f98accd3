package org.attn4j.reference;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.attn4j.AttentionRequest;
import org.attn4j.Normalizer;
import org.attn4j.mask.BlockTopK;
import org.attn4j.mask.BlockTopKSelection;
import org.attn4j.mask.SelectionOrder;
import org.attn4j.mask.StaticMask;
import org.attn4j.mask.Tiles;
import org.attn4j.mask.TokenScore;
import org.attn4j.mask.TokenTopK;

/**
 * The SPEC read literally, in float64: for every query row, the allowed keys (static masks, then the block top-k
 * selection, then token top-k), their scores, the normalizer, and the weighted sum of values. The backward pass
 * recomputes the same rows and applies each normalizer's vector-Jacobian product.
 *
 * <p>Inputs and outputs are float arrays in {@code [B, H, N, D]} row-major order.
 */
final class ExactAttention {
    private final int batch;
    private final int hq;
    private final int hkv;
    private final int nq;
    private final int nk;
    private final int d;
    private final int dv;
    private final double scale;
    private final Normalizer normalizer;
    private final StaticMask mask;
    private final BlockTopK blockTopK;
    private final TokenTopK tokenTopK;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    /** Per (b, h): for each query tile, which key tiles block top-k kept; null without block top-k. */
    private final boolean[][][] blockSelection;

    ExactAttention(AttentionRequest r, float[] q, float[] k, float[] v) {
        this.batch = r.batch();
        this.hq = r.queryHeads();
        this.hkv = r.kvHeads();
        this.nq = r.queryLength();
        this.nk = r.keyLength();
        this.d = r.headDim();
        this.dv = r.valueDim();
        this.scale = r.scale();
        this.normalizer = r.normalizer();
        this.mask = StaticMask.of(r);
        this.blockTopK = r.blockTopK().orElse(null);
        this.tokenTopK = r.tokenTopK().orElse(null);
        this.q = q;
        this.k = k;
        this.v = v;
        this.blockSelection = blockTopK == null ? null : new boolean[batch * hq][][];
    }

    /** Outputs of {@link #forward}. {@code lse} and {@code probabilities} may be null when not wanted. */
    static final class Outputs {
        final float[] o;
        final float[] lse;
        final float[] probabilities;
        long allowedPairs;

        Outputs(float[] o, float[] lse, float[] probabilities) {
            this.o = o;
            this.lse = lse;
            this.probabilities = probabilities;
        }
    }

    Outputs forward(boolean wantLse, boolean wantProbabilities) {
        Outputs out = new Outputs(new float[batch * hq * nq * dv], wantLse ? new float[batch * hq * nq] : null,
                wantProbabilities ? new float[Math.multiplyExact(batch * hq * nq, nk)] : null);
        AtomicLong pairs = new AtomicLong();
        IntStream.range(0, batch * hq).parallel().forEach(bh -> {
            Row row = new Row();
            long kept = 0;
            for (int i = 0; i < nq; i++) {
                double lse = row.compute(bh, i);
                kept += row.count;
                int oBase = (bh * nq + i) * dv;
                for (int c = 0; c < dv; c++) {
                    double acc = 0;
                    for (int t = 0; t < row.count; t++) {
                        // SPEC: a key of weight 0 contributes nothing, even where V is NaN or infinite.
                        if (row.p[t] != 0) {
                            acc += row.p[t] * v[valueRow(bh, row.keys[t]) + c];
                        }
                    }
                    out.o[oBase + c] = (float) acc;
                }
                if (out.lse != null) {
                    out.lse[bh * nq + i] = (float) lse;
                }
                if (out.probabilities != null) {
                    long pBase = (long) (bh * nq + i) * nk;
                    for (int t = 0; t < row.count; t++) {
                        out.probabilities[(int) (pBase + row.keys[t])] = (float) row.p[t];
                    }
                }
            }
            pairs.addAndGet(kept);
        });
        out.allowedPairs = pairs.get();
        return out;
    }

    /** Gradients {@code dq [B,Hq,Nq,D]}, {@code dk [B,Hkv,Nk,D]}, {@code dv [B,Hkv,Nk,Dv]} for {@code dO}. */
    float[][] backward(float[] dO) {
        float[] dq = new float[q.length];
        float[] dk = new float[k.length];
        float[] dvOut = new float[v.length];
        int group = hq / hkv;
        // One task per key/value head, so the group's query heads add into dK and dV without races.
        IntStream.range(0, batch * hkv).parallel().forEach(bkv -> {
            int b = bkv / hkv;
            int kvh = bkv % hkv;
            double[] dkAcc = new double[nk * d];
            double[] dvAcc = new double[nk * dv];
            Row row = new Row();
            double[] dp = new double[nk];
            for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                int bh = b * hq + h;
                for (int i = 0; i < nq; i++) {
                    row.compute(bh, i);
                    int n = row.count;
                    if (n == 0) {
                        continue;
                    }
                    int gBase = (bh * nq + i) * dv;
                    for (int t = 0; t < n; t++) {
                        int vBase = valueRow(bh, row.keys[t]);
                        double acc = 0;
                        for (int c = 0; c < dv; c++) {
                            acc += dO[gBase + c] * (double) v[vBase + c];
                        }
                        dp[t] = acc;
                    }
                    ExactNormalizers.backward(normalizer, row.p, dp, n, outputDot(row, bh, dO, gBase));
                    int qBase = (bh * nq + i) * d;
                    for (int t = 0; t < n; t++) {
                        if (row.p[t] == 0) {
                            continue; // a key of weight 0 contributes nothing (SPEC), even if Q or dO is not finite
                        }
                        int j = row.keys[t];
                        double ds = scale * dp[t];
                        int kLocal = j * d;
                        for (int c = 0; c < d; c++) {
                            dkAcc[kLocal + c] += ds * q[qBase + c];
                        }
                        int vLocal = j * dv;
                        for (int c = 0; c < dv; c++) {
                            dvAcc[vLocal + c] += row.p[t] * dO[gBase + c];
                        }
                    }
                    for (int c = 0; c < d; c++) {
                        double acc = 0;
                        for (int t = 0; t < n; t++) {
                            if (row.p[t] != 0) {
                                acc += scale * dp[t] * k[keyRow(bh, row.keys[t]) + c];
                            }
                        }
                        dq[qBase + c] = (float) acc;
                    }
                }
            }
            int kvBase = (b * hkv + kvh) * nk;
            for (int x = 0; x < nk * d; x++) {
                dk[kvBase * d + x] = (float) dkAcc[x];
            }
            for (int x = 0; x < nk * dv; x++) {
                dvOut[kvBase * dv + x] = (float) dvAcc[x];
            }
        });
        return new float[][] {dq, dk, dvOut};
    }

    /**
     * {@code dO[i] . O[i]} with the row's exact output {@code O[i] = sum_j p_j V[j]} (keys of weight 0 left out):
     * softmax's row term in the SPEC's backward pass, FlashAttention's rowsum(dO * O).
     */
    private double outputDot(Row row, int bh, float[] dO, int gBase) {
        if (normalizer != Normalizer.SOFTMAX) {
            return Double.NaN;
        }
        double dot = 0;
        for (int c = 0; c < dv; c++) {
            double o = 0;
            for (int t = 0; t < row.count; t++) {
                if (row.p[t] != 0) {
                    o += row.p[t] * v[valueRow(bh, row.keys[t]) + c];
                }
            }
            dot += dO[gBase + c] * o;
        }
        return dot;
    }

    private int keyRow(int bh, int j) {
        int b = bh / hq;
        int kvh = (bh % hq) / (hq / hkv);
        return ((b * hkv + kvh) * nk + j) * d;
    }

    private int valueRow(int bh, int j) {
        int b = bh / hq;
        int kvh = (bh % hq) / (hq / hkv);
        return ((b * hkv + kvh) * nk + j) * dv;
    }

    /** Computed on first use; each (b, h) is handled by one task, so no locking is needed. */
    private boolean[][] selection(int bh) {
        boolean[][] sel = blockSelection[bh];
        if (sel == null) {
            int b = bh / hq;
            int h = bh % hq;
            int[][] kept = BlockTopKSelection.select(mask, blockTopK, b, h, scale, q, bh * nq * d, k,
                    keyRow(bh, 0), d);
            int kTiles = Tiles.ceilDiv(nk, blockTopK.blockK());
            sel = new boolean[kept.length][kTiles];
            for (int qb = 0; qb < kept.length; qb++) {
                for (int kb : kept[qb]) {
                    sel[qb][kb] = true;
                }
            }
            blockSelection[bh] = sel;
        }
        return sel;
    }

    /** One query row: its kept keys (ascending), their scores and weights. */
    private final class Row {
        final int[] keys = new int[nk];
        final double[] s = new double[nk];
        final double[] p = new double[nk];
        int count;

        /** Fills this row for query {@code i} of (batch, head) {@code bh}; returns the LSE (softmax) or NaN. */
        double compute(int bh, int i) {
            int b = bh / hq;
            int h = bh % hq;
            boolean[] tiles = blockTopK == null ? null : selection(bh)[i / blockTopK.blockQ()];
            int qBase = (bh * nq + i) * d;
            count = 0;
            for (int j = 0; j < nk; j++) {
                if (!mask.allowed(b, h, i, j)) {
                    continue;
                }
                if (tiles != null && !tiles[j / blockTopK.blockK()]) {
                    continue;
                }
                keys[count] = j;
                s[count] = TokenScore.exact(scale, q, qBase, k, keyRow(bh, j), d);
                count++;
            }
            if (tokenTopK != null && count > tokenTopK.k()) {
                keepTopK(tokenTopK.k());
            }
            return ExactNormalizers.normalize(normalizer, s, count, p);
        }

        /** Keeps the {@code kk} best keys in {@link SelectionOrder}, preserving ascending key order. */
        private void keepTopK(int kk) {
            Integer[] order = new Integer[count];
            for (int t = 0; t < count; t++) {
                order[t] = t;
            }
            Arrays.sort(order, (x, y) -> SelectionOrder.compare(s[x], keys[x], s[y], keys[y]));
            boolean[] keep = new boolean[count];
            for (int t = 0; t < kk; t++) {
                keep[order[t]] = true;
            }
            int w = 0;
            for (int t = 0; t < count; t++) {
                if (keep[t]) {
                    keys[w] = keys[t];
                    s[w] = s[t];
                    w++;
                }
            }
            count = w;
        }
    }
}
