package org.attn4j.cpu;

import org.attn4j.AttentionRequest;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.BlockTopK;
import org.attn4j.mask.BlockTopKSelection;
import org.attn4j.mask.StaticMask;

/**
 * One call's inputs prepared for the tile loops: dimensions, the tile geometry, every key/value head read into
 * kernel layouts, and a tile plan per (batch, query head). Built once per forward or backward call; immutable and
 * shared by the tasks.
 */
final class AttentionProblem {
    final AttentionRequest request;
    final int batch;
    final int queryHeads;
    final int kvHeads;
    final int group;
    final int nq;
    final int nk;
    final int d;
    final int dv;
    /** The request's scale: folded into the queries ({@link #loadQueries}), applied to dQ and dK in double. */
    final double exactScale;
    final Normalizer normalizer;
    final int tokenTopK;
    final TileGeometry tiles;
    /**
     * Whether Q, K and V hold only finite values. If not, weighted sums skip every zero weight one by one: a key
     * of weight 0 contributes nothing (SPEC), while {@code 0 * inf} would be NaN.
     */
    final boolean inputsFinite;
    private final KeyValueHead[] kv;
    private final TilePlan[] plans;

    private AttentionProblem(AttentionRequest r, TileGeometry tiles, KeyValueHead[] kv, TilePlan[] plans) {
        this.request = r;
        this.batch = r.batch();
        this.queryHeads = r.queryHeads();
        this.kvHeads = r.kvHeads();
        this.group = r.groupSize();
        this.nq = r.queryLength();
        this.nk = r.keyLength();
        this.d = r.headDim();
        this.dv = r.valueDim();
        this.exactScale = r.scale();
        this.normalizer = r.normalizer();
        this.tokenTopK = r.tokenTopK().map(t -> t.k()).orElse(0);
        this.tiles = tiles;
        this.kv = kv;
        boolean finite = isFinite(r.q());
        for (KeyValueHead head : kv) {
            finite &= head.finite;
        }
        this.inputsFinite = finite;
        this.plans = plans;
    }

    /** Reads K and V into kernel layouts and plans the tiles of every (batch, head); parallel where it pays. */
    static AttentionProblem prepare(AttentionRequest r, boolean backward) {
        TileGeometry g = TileGeometry.of(r);
        StaticMask mask = StaticMask.of(r);
        BlockMask blockMask = r.blockMask().orElse(null);
        BlockTopK topK = r.blockTopK().orElse(null);
        int batch = r.batch();
        int hq = r.queryHeads();
        int hkv = r.kvHeads();
        long flops = denseFlops(r);

        KeyValueHead[] kv = new KeyValueHead[batch * hkv];
        boolean keepKeys = topK != null || r.tokenTopK().isPresent();
        CpuThreads.forEach(kv.length, flops, bkv -> kv[bkv] = KeyValueHead.read(r.k(), r.v(), bkv / hkv,
                bkv % hkv, g, keepKeys, backward));

        TilePlan[] plans = new TilePlan[batch * hq];
        if (topK == null && mask.isUniform()) {
            TilePlan shared = TilePlan.build(0, 0, mask, blockMask, g, null, null);
            java.util.Arrays.fill(plans, shared);
        } else {
            int group = r.groupSize();
            int nq = r.queryLength();
            int d = r.headDim();
            double scale = r.scale();
            CpuThreads.forEach(plans.length, flops, bh -> {
                int b = bh / hq;
                int h = bh % hq;
                int[][] kept = null;
                if (topK != null) {
                    float[] q = new float[nq * d];
                    r.q().copyTo(q, 0, (long) bh * nq * d, nq * d);
                    KeyValueHead head = kv[b * hkv + h / group];
                    kept = BlockTopKSelection.select(mask, topK, b, h, scale, q, 0, head.keysFlat, 0, d);
                }
                plans[bh] = TilePlan.build(b, h, mask, blockMask, g, topK, kept);
            });
        }
        return new AttentionProblem(r, g, kv, plans);
    }

    /** {@code 2 (D + Dv) B Hq Nq Nk}: the work of the call without masks. */
    static long denseFlops(AttentionRequest r) {
        return 2L * (r.headDim() + r.valueDim()) * r.batch() * r.queryHeads() * r.queryLength()
                * (long) r.keyLength();
    }

    long denseFlops() {
        return denseFlops(request);
    }

    /** The key/value head that query head {@code bh = b * Hq + h} reads. */
    KeyValueHead kvFor(int bh) {
        return kv[(bh / queryHeads) * kvHeads + (bh % queryHeads) / group];
    }

    KeyValueHead kv(int bkv) {
        return kv[bkv];
    }

    TilePlan plan(int bh) {
        return plans[bh];
    }

    /**
     * Loads rows {@code i0 .. i0 + rows - 1} of query head {@code bh}, multiplied by the scale
     * ({@link Kernels#scaleQuery}), into {@code dst}.
     */
    void loadQueries(int bh, int i0, int rows, Workspace ws, float[][] dst) {
        readRows(request.q(), bh, nq, d, i0, rows, ws.flatIn, dst);
        for (int r = 0; r < rows; r++) {
            Kernels.scaleQuery(dst[r], exactScale, d);
        }
    }

    /** Loads rows {@code i0 .. i0 + rows - 1} of query head {@code bh} as they are (token top-k's exact scores). */
    void loadRawQueries(int bh, int i0, int rows, Workspace ws) {
        readRows(request.q(), bh, nq, d, i0, rows, ws.flatIn, ws.rawQueries);
    }

    /** Prepares {@code ws.exactScores} for tile row {@code r} (raw queries loaded) of query head {@code bh}. */
    ExactTokenScores exactScores(int bh, int r, Workspace ws) {
        KeyValueHead head = kvFor(bh);
        ws.exactScores.prepare(exactScale, ws.rawQueries[r], head.keysFlat, d, head.keyNormMax);
        return ws.exactScores;
    }

    /** Whether every value of {@code t} is finite; reads it in chunks. */
    static boolean isFinite(Tensor t) {
        long size = t.size();
        float[] chunk = new float[(int) Math.min(size, 1 << 16)];
        for (long at = 0; at < size; at += chunk.length) {
            int n = (int) Math.min(chunk.length, size - at);
            t.copyTo(chunk, 0, at, n);
            if (!Kernels.allFinite(chunk, n)) {
                return false;
            }
        }
        return true;
    }

    /** Reads rows of a {@code [B, H, N, width]} tensor into row arrays. */
    static void readRows(Tensor t, int bh, int n, int width, int i0, int rows, float[] flat, float[][] dst) {
        t.copyTo(flat, 0, ((long) bh * n + i0) * width, rows * width);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * width, dst[r], 0, width);
        }
    }

    /** Writes row arrays into rows {@code i0 ..} of a {@code [B, H, N, width]} tensor. */
    static void writeRows(Tensor t, int bh, int n, int width, int i0, int rows, float[][] src, float[] flat) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src[r], 0, flat, r * width, width);
        }
        t.copyFrom(flat, 0, ((long) bh * n + i0) * width, rows * width);
    }
}
