package org.attn4j.mask;

import java.util.Arrays;

/**
 * The selection rule of dynamic block top-k (SPEC), for one batch and query head, computed in float64 so that every
 * provider using it picks the same tiles from the same inputs, and ranked by {@link SelectionOrder}.
 */
public final class BlockTopKSelection {
    private BlockTopKSelection() {
    }

    /**
     * Selects the key tiles each query tile keeps.
     *
     * @param mask    the request's static mask (candidates are the tiles it leaves any pair in)
     * @param spec    k and the tile sizes
     * @param b       batch index
     * @param h       query head index
     * @param scale   score scale
     * @param q       query rows of this head: row {@code i} at {@code q[qOffset + i * d ..]}
     * @param k       key rows of the head's key/value head: row {@code j} at {@code k[kOffset + j * d ..]}
     * @return for each query tile, the kept key tiles in ascending order
     */
    public static int[][] select(StaticMask mask, BlockTopK spec, int b, int h, double scale,
                                 float[] q, int qOffset, float[] k, int kOffset, int d) {
        int nq = mask.queryLength();
        int nk = mask.keyLength();
        int bq = spec.blockQ();
        int bk = spec.blockK();
        int qTiles = Tiles.ceilDiv(nq, bq);
        int kTiles = Tiles.ceilDiv(nk, bk);
        double[][] kMeans = new double[kTiles][];
        for (int kb = 0; kb < kTiles; kb++) {
            kMeans[kb] = mean(k, kOffset, d, Tiles.start(kb, bk), Tiles.end(kb, bk, nk));
        }
        int[][] kept = new int[qTiles][];
        Integer[] order = new Integer[kTiles];
        double[] score = new double[kTiles];
        for (int qb = 0; qb < qTiles; qb++) {
            int i0 = Tiles.start(qb, bq);
            int i1 = Tiles.end(qb, bq, nq);
            double[] qMean = mean(q, qOffset, d, i0, i1);
            int candidates = 0;
            for (int kb = 0; kb < kTiles; kb++) {
                if (mask.classify(b, h, i0, i1, Tiles.start(kb, bk), Tiles.end(kb, bk, nk)) == TileKind.EMPTY) {
                    continue;
                }
                double dot = 0;
                for (int c = 0; c < d; c++) {
                    dot += qMean[c] * kMeans[kb][c];
                }
                score[kb] = scale * dot;
                order[candidates++] = kb;
            }
            Arrays.sort(order, 0, candidates, (x, y) -> SelectionOrder.compare(score[x], x, score[y], y));
            int keep = Math.min(spec.k(), candidates);
            int[] row = new int[keep];
            for (int t = 0; t < keep; t++) {
                row[t] = order[t];
            }
            Arrays.sort(row);
            kept[qb] = row;
        }
        return kept;
    }

    private static double[] mean(float[] x, int offset, int d, int r0, int r1) {
        double[] m = new double[d];
        for (int r = r0; r < r1; r++) {
            int base = offset + r * d;
            for (int c = 0; c < d; c++) {
                m[c] += x[base + c];
            }
        }
        for (int c = 0; c < d; c++) {
            m[c] /= r1 - r0;
        }
        return m;
    }
}
