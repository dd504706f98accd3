package org.attn4j.mask;

/**
 * Dynamic block top-k: each query tile of {@code blockQ} rows keeps the {@code k} key tiles of {@code blockK} keys
 * whose mean key is closest (by scaled dot product) to the tile's mean query, among the tiles the static masks leave
 * any pair in. Ties go to the lower key tile.
 */
public final class BlockTopK {
    private final int k;
    private final int blockQ;
    private final int blockK;

    private BlockTopK(int k, int blockQ, int blockK) {
        if (k < 1) {
            throw new IllegalArgumentException("topKBlocks.k: expected >= 1, got " + k);
        }
        if (blockQ < 1) {
            throw new IllegalArgumentException("topKBlocks.blockQ: expected >= 1, got " + blockQ);
        }
        if (blockK < 1) {
            throw new IllegalArgumentException("topKBlocks.blockK: expected >= 1, got " + blockK);
        }
        this.k = k;
        this.blockQ = blockQ;
        this.blockK = blockK;
    }

    public static BlockTopK of(int k, int blockQ, int blockK) {
        return new BlockTopK(k, blockQ, blockK);
    }

    public int k() {
        return k;
    }

    public int blockQ() {
        return blockQ;
    }

    public int blockK() {
        return blockK;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockTopK && ((BlockTopK) o).k == k && ((BlockTopK) o).blockQ == blockQ
                && ((BlockTopK) o).blockK == blockK;
    }

    @Override
    public int hashCode() {
        return (k * 31 + blockQ) * 31 + blockK;
    }

    @Override
    public String toString() {
        return "topKBlocks(" + k + ", " + blockQ + "x" + blockK + ")";
    }
}
