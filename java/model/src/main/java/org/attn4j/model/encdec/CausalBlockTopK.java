package org.attn4j.model.encdec;

import org.attn4j.mask.BlockMask;
import org.attn4j.mask.Tiles;

/**
 * Block top-k for causal rows. The SPEC's block top-k scores a tile by the mean of all its rows, which in a causal
 * layer includes later tokens; here each query row (its own one-row tile) keeps the tile that holds its own position
 * (the recent keys, which the causal mask cuts) and the {@code kept - 1} best earlier tiles, all of whose keys it can
 * see, by {@code q . mean(K tile)} (float64, ties to the lower tile). A row's choice depends only on itself and the keys
 * before it, so a generation step makes the choice the full pass made. Handed to the provider as a block mask of
 * one-row query tiles; as with the SPEC's selections, no gradient flows through the choice.
 */
final class CausalBlockTopK {
    private CausalBlockTopK() {
    }

    /**
     * @param q    queries {@code [B, H, Nq, Dh]} at decoder positions {@code firstQuery ..}
     * @param k    keys {@code [B, H, Nk, Dh]}, positions {@code 0 .. Nk - 1}
     * @param kept tiles each row keeps, its own included
     */
    static BlockMask select(float[] q, float[] k, CallShape c, int blockSize, int kept) {
        int batch = c.batch();
        int heads = c.heads();
        int nq = c.queryLength();
        int nk = c.keyLength();
        int dh = c.headDim();
        int tiles = Tiles.ceilDiv(nk, blockSize);
        boolean[] cells = new boolean[batch * heads * nq * tiles];
        double[] means = new double[tiles * dh];
        double[] scores = new double[tiles];
        for (int bh = 0; bh < batch * heads; bh++) {
            int kBase = bh * nk * dh;
            // Means of complete tiles only: a partial tile is never an "earlier" one.
            int complete = nk / blockSize;
            for (int t = 0; t < complete; t++) {
                for (int d = 0; d < dh; d++) {
                    double sum = 0;
                    for (int j = t * blockSize; j < (t + 1) * blockSize; j++) {
                        sum += k[kBase + j * dh + d];
                    }
                    means[t * dh + d] = sum / blockSize;
                }
            }
            for (int i = 0; i < nq; i++) {
                int own = (c.firstQuery() + i) / blockSize;
                int row = (bh * nq + i) * tiles;
                cells[row + own] = true;
                int qBase = (bh * nq + i) * dh;
                for (int t = 0; t < own; t++) {
                    double s = 0;
                    for (int d = 0; d < dh; d++) {
                        s += q[qBase + d] * means[t * dh + d];
                    }
                    scores[t] = s;
                }
                for (int pick = 1; pick < kept && pick <= own; pick++) {
                    int best = -1;
                    for (int t = 0; t < own; t++) {
                        if (!cells[row + t] && (best < 0 || scores[t] > scores[best])) {
                            best = t;
                        }
                    }
                    cells[row + best] = true;
                }
            }
        }
        return BlockMask.of(cells, new int[] {batch, heads, nq, tiles}, 1, blockSize);
    }
}
