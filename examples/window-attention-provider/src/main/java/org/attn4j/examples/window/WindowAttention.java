package org.attn4j.examples.window;

import java.util.stream.IntStream;

/**
 * Softmax attention over each query's key ranges only, one pass per query with the online softmax (a running
 * maximum and sum, rescaled when the maximum grows, as FlashAttention does), so no score row is ever stored.
 * Inputs and outputs are float arrays in {@code [B, H, N, D]} row-major order; fp32 throughout.
 */
final class WindowAttention {
    private final int batch;
    private final int queryHeads;
    private final int kvHeads;
    private final int queryLength;
    private final int keyLength;
    private final int headDim;
    private final int valueDim;
    private final float scale;
    private final KeyRanges ranges;

    WindowAttention(int batch, int queryHeads, int kvHeads, int queryLength, int keyLength, int headDim,
                    int valueDim, float scale, KeyRanges ranges) {
        this.batch = batch;
        this.queryHeads = queryHeads;
        this.kvHeads = kvHeads;
        this.queryLength = queryLength;
        this.keyLength = keyLength;
        this.headDim = headDim;
        this.valueDim = valueDim;
        this.scale = scale;
        this.ranges = ranges;
    }

    /**
     * Fills {@code o} ({@code [B, Hq, Nq, Dv]}) and, if not null, {@code lse} ({@code [B, Hq, Nq]}); returns the
     * number of (query, key) pairs visited.
     */
    long compute(float[] q, float[] k, float[] v, float[] o, float[] lse) {
        int group = queryHeads / kvHeads;
        // One task per (batch, query head): rows of O and LSE are disjoint, so no locking.
        return IntStream.range(0, batch * queryHeads).parallel().mapToLong(bh -> {
            int b = bh / queryHeads;
            int kvHead = bh % queryHeads / group; // GQA: query head h reads key/value head h / group
            int kBase = (b * kvHeads + kvHead) * keyLength;
            int[] span = new int[4];
            float[] acc = new float[valueDim];
            long visited = 0;
            for (int i = 0; i < queryLength; i++) {
                int row = bh * queryLength + i;
                int qOff = row * headDim;
                float max = Float.NEGATIVE_INFINITY;
                float sum = 0;
                java.util.Arrays.fill(acc, 0);
                int n = ranges.of(i, span);
                for (int r = 0; r < n; r++) {
                    for (int j = span[2 * r]; j < span[2 * r + 1]; j++) {
                        int kOff = (kBase + j) * headDim;
                        float dot = 0;
                        for (int c = 0; c < headDim; c++) {
                            dot += q[qOff + c] * k[kOff + c];
                        }
                        float s = scale * dot;
                        if (s > max) {
                            float rescale = (float) Math.exp(max - s); // 0 on the first key (max = -inf)
                            sum *= rescale;
                            for (int c = 0; c < valueDim; c++) {
                                acc[c] *= rescale;
                            }
                            max = s;
                        }
                        float p = (float) Math.exp(s - max);
                        sum += p;
                        int vOff = (kBase + j) * valueDim;
                        for (int c = 0; c < valueDim; c++) {
                            acc[c] += p * v[vOff + c];
                        }
                    }
                    visited += span[2 * r + 1] - span[2 * r];
                }
                // A query with no key in range gets O = 0 and LSE = -inf (SPEC), never 0/0.
                int oOff = row * valueDim;
                for (int c = 0; c < valueDim; c++) {
                    o[oOff + c] = sum > 0 ? acc[c] / sum : 0f;
                }
                if (lse != null) {
                    lse[row] = sum > 0 ? max + (float) Math.log(sum) : Float.NEGATIVE_INFINITY;
                }
            }
            return visited;
        }).sum();
    }
}
