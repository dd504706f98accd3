package org.attn4j.jmh;

import java.util.Random;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.Tiles;

/** Inputs shared by the benchmarks: seeded random tensors and block masks of an exact density. */
public final class BenchmarkInputs {
    private BenchmarkInputs() {
    }

    /** A tensor of standard normal values from {@code seed}. */
    public static Tensor gaussian(long seed, DType dtype, int... shape) {
        Random r = new Random(seed);
        int n = 1;
        for (int s : shape) {
            n = Math.multiplyExact(n, s);
        }
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return Tensor.of(dtype, x, shape);
    }

    /**
     * A block mask of shape {@code [1, heads, QB, KB]} over {@code block x block} cells in which each head keeps
     * exactly {@code round(density * QB * KB)} cells (at least one), chosen uniformly at random from {@code seed}.
     */
    public static BlockMask randomBlockMask(long seed, int heads, int queryLength, int keyLength, int block,
                                            double density) {
        int qb = Tiles.ceilDiv(queryLength, block);
        int kb = Tiles.ceilDiv(keyLength, block);
        int cells = qb * kb;
        int keep = Math.max(1, (int) Math.round(density * cells));
        boolean[] values = new boolean[heads * cells];
        Random r = new Random(seed);
        int[] order = new int[cells];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < cells; i++) {
                order[i] = i;
            }
            // Partial Fisher-Yates: the first `keep` entries are a uniform random subset.
            for (int i = 0; i < keep; i++) {
                int j = i + r.nextInt(cells - i);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
                values[h * cells + order[i]] = true;
            }
        }
        return BlockMask.of(values, new int[] {1, heads, qb, kb}, block, block);
    }

    /** {@code 2 (D + Dv) P}: the SPEC's forward FLOPs for {@code pairs} attended (query, key) pairs. */
    public static double forwardFlops(long pairs, int headDim, int valueDim) {
        return 2.0 * (headDim + valueDim) * pairs;
    }
}
