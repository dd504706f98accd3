package org.attn4j.cpu;

import org.attn4j.Tensor;

/**
 * One key/value head of one batch entry, read from the tensors once per call and laid out for the kernels: keys
 * transposed per tile (scores are saxpys over the key tile), value rows (outputs are saxpys over Dv), and for the
 * backward pass key rows (dQ) and values transposed per tile (dP).
 */
final class KeyValueHead {
    /** Keys as read, row-major {@code [Nk * D]}; kept only for block and token top-k, whose selections read them so. */
    final float[] keysFlat;
    /** The largest Euclidean norm of a key (token top-k's error bound), or NaN when the keys are not kept. */
    final double keyNormMax;
    /** {@code keysT[kt][c][j]}: component {@code c} of key {@code kt * keyTile + j}. */
    final float[][][] keysT;
    /** Whether every key and value is finite (else zero weights must be skipped one by one). */
    final boolean finite;
    /** {@code values[j][c]}. */
    final float[][] values;
    /** {@code keys[j][c]}, backward only. */
    final float[][] keys;
    /** {@code valuesT[kt][c][j]}, backward only. */
    final float[][][] valuesT;

    private KeyValueHead(float[] keysFlat, double keyNormMax, boolean finite, float[][][] keysT, float[][] values,
                         float[][] keys, float[][][] valuesT) {
        this.keysFlat = keysFlat;
        this.finite = finite;
        this.keyNormMax = keyNormMax;
        this.keysT = keysT;
        this.values = values;
        this.keys = keys;
        this.valuesT = valuesT;
    }

    /**
     * Reads head {@code kvh} of batch {@code b}.
     *
     * @param keepFlat keep the row-major keys (block and token top-k)
     * @param backward also build the layouts of the backward pass
     */
    static KeyValueHead read(Tensor k, Tensor v, int b, int kvh, TileGeometry g, boolean keepFlat,
                             boolean backward) {
        int hkv = k.dim(1);
        int nk = k.dim(2);
        int d = k.dim(3);
        int dv = v.dim(3);
        float[] kFlat = new float[nk * d];
        k.copyTo(kFlat, 0, ((long) b * hkv + kvh) * nk * d, nk * d);
        float[] vFlat = new float[nk * dv];
        v.copyTo(vFlat, 0, ((long) b * hkv + kvh) * nk * dv, nk * dv);
        float[][][] kT = transposeTiles(kFlat, nk, d, g);
        float[][] values = rows(vFlat, nk, dv);
        float[][] keys = backward ? rows(kFlat, nk, d) : null;
        float[][][] vT = backward ? transposeTiles(vFlat, nk, dv, g) : null;
        return new KeyValueHead(keepFlat ? kFlat : null,
                keepFlat ? ExactTokenScores.keyNormMax(kFlat, nk, d) : Double.NaN,
                Kernels.allFinite(kFlat, kFlat.length) && Kernels.allFinite(vFlat, vFlat.length), kT, values, keys, vT);
    }

    private static float[][] rows(float[] flat, int n, int width) {
        float[][] rows = new float[n][width];
        for (int j = 0; j < n; j++) {
            System.arraycopy(flat, j * width, rows[j], 0, width);
        }
        return rows;
    }

    private static float[][][] transposeTiles(float[] flat, int n, int width, TileGeometry g) {
        float[][][] tiles = new float[g.keyTiles][][];
        for (int kt = 0; kt < g.keyTiles; kt++) {
            int j0 = g.keyStart(kt);
            int len = Math.min(g.keyTile, n - j0);
            float[][] tile = new float[width][len];
            for (int j = 0; j < len; j++) {
                int base = (j0 + j) * width;
                for (int c = 0; c < width; c++) {
                    tile[c][j] = flat[base + c];
                }
            }
            tiles[kt] = tile;
        }
        return tiles;
    }
}
