package org.attn4j.mask;

import java.util.Arrays;
import java.util.Objects;
import org.attn4j.internal.Arguments;

/**
 * A boolean grid over tiles of {@code blockQ x blockK} (query, key) pairs: pair {@code (i, j)} is allowed only where
 * {@code M[i / blockQ, j / blockK]} is true. The grid has shape {@code [batch, heads, queryBlocks, keyBlocks]} where
 * batch and heads may be 1 to broadcast over the request's batch and query heads. Partial last tiles are allowed.
 */
public final class BlockMask {
    /** Decides one cell of a block mask. */
    @FunctionalInterface
    public interface CellPredicate {
        boolean test(int batch, int head, int queryBlock, int keyBlock);
    }

    /** Cells are bits in a long[] indexed by int: at most 2^31 - 1 longs of 64 cells. */
    private static final long MAX_CELLS = (long) Integer.MAX_VALUE * 64;
    private static final String[] DIMENSIONS = {"batch", "heads", "query blocks", "key blocks"};

    private final int batch;
    private final int heads;
    private final int queryBlocks;
    private final int keyBlocks;
    private final int blockQ;
    private final int blockK;
    private final long[] bits;

    private BlockMask(int batch, int heads, int queryBlocks, int keyBlocks, int blockQ, int blockK, long[] bits) {
        this.batch = batch;
        this.heads = heads;
        this.queryBlocks = queryBlocks;
        this.keyBlocks = keyBlocks;
        this.blockQ = blockQ;
        this.blockK = blockK;
        this.bits = bits;
    }

    /** A mask shared by every batch and head, from {@code grid[queryBlock][keyBlock]}. */
    public static BlockMask of(boolean[][] grid, int blockQ, int blockK) {
        Arguments.notNull(grid, "blockMask.grid", "a [query block][key block] array");
        int qb = grid.length;
        for (int r = 0; r < qb; r++) {
            Arguments.notNull(grid[r], "blockMask.grid[" + r + "]", "a row of key blocks");
        }
        int kb = qb == 0 ? 0 : grid[0].length;
        for (int r = 0; r < qb; r++) {
            if (grid[r].length != kb) {
                throw new IllegalArgumentException("blockMask.grid[" + r + "]: expected " + kb
                        + " key blocks as in row 0 (the grid must be rectangular), got " + grid[r].length);
            }
        }
        return fromFunction(1, 1, qb, kb, blockQ, blockK, (b, h, q, k) -> grid[q][k]);
    }

    /**
     * A mask from row-major {@code values} of shape {@code [QB, KB]} or {@code [B|1, H|1, QB, KB]}.
     */
    public static BlockMask of(boolean[] values, int[] shape, int blockQ, int blockK) {
        Arguments.notNull(values, "blockMask.values", "the cells in row-major order");
        Arguments.notNull(shape, "blockMask.shape", "[QB, KB] or [B, H, QB, KB]");
        int[] s;
        if (shape.length == 2) {
            s = new int[] {1, 1, shape[0], shape[1]};
        } else if (shape.length == 4) {
            s = shape.clone();
        } else {
            throw new IllegalArgumentException("blockMask.shape: expected [QB, KB] or [B, H, QB, KB], got "
                    + Arrays.toString(shape));
        }
        for (int d = 0; d < 4; d++) {
            checkPositive("blockMask.shape[" + d + "] (" + DIMENSIONS[d] + ")", s[d]);
        }
        long n = cellCount(s[0], s[1], s[2], s[3]);
        if (n != values.length) {
            throw new IllegalArgumentException("blockMask.values: expected " + n + " cells for shape "
                    + Arrays.toString(shape) + ", got " + values.length);
        }
        return fromFunction(s[0], s[1], s[2], s[3], blockQ, blockK,
                (b, h, q, k) -> values[((b * s[1] + h) * s[2] + q) * s[3] + k]);
    }

    /** A mask of shape {@code [batch, heads, queryBlocks, keyBlocks]} whose cells {@code cell} decides. */
    public static BlockMask fromFunction(int batch, int heads, int queryBlocks, int keyBlocks, int blockQ,
                                         int blockK, CellPredicate cell) {
        checkPositive("blockMask.blockQ", blockQ);
        checkPositive("blockMask.blockK", blockK);
        int[] shape = {batch, heads, queryBlocks, keyBlocks};
        for (int d = 0; d < 4; d++) {
            checkPositive("blockMask.shape[" + d + "] (" + DIMENSIONS[d] + ")", shape[d]);
        }
        Arguments.notNull(cell, "blockMask.cell", "a predicate deciding each cell");
        long n = cellCount(batch, heads, queryBlocks, keyBlocks);
        long[] bits = new long[(int) ((n + 63) >>> 6)];
        long idx = 0;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int q = 0; q < queryBlocks; q++) {
                    for (int k = 0; k < keyBlocks; k++, idx++) {
                        if (cell.test(b, h, q, k)) {
                            bits[(int) (idx >>> 6)] |= 1L << (idx & 63);
                        }
                    }
                }
            }
        }
        return new BlockMask(batch, heads, queryBlocks, keyBlocks, blockQ, blockK, bits);
    }

    /** The cell for batch {@code b} and query head {@code h} of the request (broadcast dimensions ignore them). */
    public boolean get(int b, int h, int queryBlock, int keyBlock) {
        long idx = (((long) (batch == 1 ? 0 : b) * heads + (heads == 1 ? 0 : h)) * queryBlocks + queryBlock)
                * keyBlocks + keyBlock;
        return (bits[(int) (idx >>> 6)] & (1L << (idx & 63))) != 0;
    }

    /**
     * Checks that this mask fits a request.
     *
     * @throws IllegalArgumentException naming the mismatching dimension and the expected value
     */
    public void validateFor(int requestBatch, int queryHeads, int queryLength, int keyLength) {
        int qb = Tiles.ceilDiv(queryLength, blockQ);
        int kb = Tiles.ceilDiv(keyLength, blockK);
        if (batch != 1 && batch != requestBatch) {
            throw new IllegalArgumentException("blockMask.shape[0] (batch): expected "
                    + oneOr(requestBatch, "the batch of q") + ", got " + batch);
        }
        if (heads != 1 && heads != queryHeads) {
            throw new IllegalArgumentException("blockMask.shape[1] (heads): expected "
                    + oneOr(queryHeads, "the query heads of q") + ", got " + heads);
        }
        if (queryBlocks != qb) {
            throw new IllegalArgumentException("blockMask.shape[2] (query blocks): expected ceil(" + queryLength
                    + " / " + blockQ + ") = " + qb + ", got " + queryBlocks);
        }
        if (keyBlocks != kb) {
            throw new IllegalArgumentException("blockMask.shape[3] (key blocks): expected ceil(" + keyLength
                    + " / " + blockK + ") = " + kb + ", got " + keyBlocks);
        }
    }

    /** Fraction of cells that are true. */
    public double density() {
        long total = (long) batch * heads * queryBlocks * keyBlocks;
        return total == 0 ? 0 : (double) countTrue() / total;
    }

    public long countTrue() {
        long c = 0;
        for (long w : bits) {
            c += Long.bitCount(w);
        }
        return c;
    }

    public int batch() {
        return batch;
    }

    public int heads() {
        return heads;
    }

    public int queryBlocks() {
        return queryBlocks;
    }

    public int keyBlocks() {
        return keyBlocks;
    }

    public int blockQ() {
        return blockQ;
    }

    public int blockK() {
        return blockK;
    }

    /** {@code [batch, heads, queryBlocks, keyBlocks]}. */
    public int[] shape() {
        return new int[] {batch, heads, queryBlocks, keyBlocks};
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BlockMask)) {
            return false;
        }
        BlockMask m = (BlockMask) o;
        return m.batch == batch && m.heads == heads && m.queryBlocks == queryBlocks && m.keyBlocks == keyBlocks
                && m.blockQ == blockQ && m.blockK == blockK && Arrays.equals(m.bits, bits);
    }

    @Override
    public int hashCode() {
        return Objects.hash(batch, heads, queryBlocks, keyBlocks, blockQ, blockK, Arrays.hashCode(bits));
    }

    @Override
    public String toString() {
        return String.format("blockMask([%d, %d, %d, %d], %dx%d, density %.3f)", batch, heads, queryBlocks,
                keyBlocks, blockQ, blockK, density());
    }

    /** "1 (broadcast) or 4 (the batch of q)", or just "1 (...)" when the request's size is 1. */
    private static String oneOr(int size, String what) {
        return size == 1 ? "1 (" + what + ")" : "1 (broadcast) or " + size + " (" + what + ")";
    }

    /** Cells of a mask of this shape, refusing more than {@link #MAX_CELLS} (the product may overflow a long). */
    private static long cellCount(int batch, int heads, int queryBlocks, int keyBlocks) {
        long n = 1;
        for (int size : new int[] {batch, heads, queryBlocks, keyBlocks}) {
            n *= size;
            if (n > MAX_CELLS) {
                throw new IllegalArgumentException("blockMask.shape: [" + batch + ", " + heads + ", " + queryBlocks
                        + ", " + keyBlocks + "] has more than " + MAX_CELLS + " cells, more than a mask holds");
            }
        }
        return n;
    }

    private static void checkPositive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": expected >= 1, got " + value);
        }
    }
}
