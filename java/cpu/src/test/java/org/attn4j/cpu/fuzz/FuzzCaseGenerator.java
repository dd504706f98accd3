package org.attn4j.cpu.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.attn4j.DType;
import org.attn4j.Normalizer;

/**
 * Draws {@link FuzzCase}s: every mask alone and combined (causal, window with global tokens, block mask, block top-k,
 * token top-k), every normalizer and type, MHA/GQA/MQA, odd lengths (1, 7, 100, 257...) with Nq != Nk, extra
 * outputs; a share of them made invalid by one {@link Mutation}.
 *
 * <p>Shapes stay small (the pairs of a request are capped) so that ten thousand requests on both providers take
 * well under a minute on two cores. Values are finite and moderate, and token top-k requests get inputs in
 * {-1, 1} with a power-of-two scale, so every score is exact in every type and order of summation: a different
 * key kept on a near-tie would otherwise be a rounding artefact, not a disagreement.
 */
final class FuzzCaseGenerator {
    private static final int[] LENGTHS = {1, 1, 2, 3, 5, 7, 8, 13, 16, 31, 33, 64, 100, 128, 257};
    private static final int[] HEAD_DIMS = {1, 2, 3, 4, 7, 8, 16, 24, 32, 64};
    private static final int[] TILES = {1, 2, 3, 4, 5, 8, 16, 32, 64, 300};
    /** Work caps: pairs x (D + Dv) per request, for most requests and for the occasional larger one. */
    private static final long SMALL_WORK = 150_000;
    private static final long LARGE_WORK = 3_000_000;

    private final double invalidShare;

    /** @param invalidShare the share of requests made invalid */
    FuzzCaseGenerator(double invalidShare) {
        this.invalidShare = invalidShare;
    }

    /** The case of {@code seed}: always the same for the same seed. */
    FuzzCase draw(long seed) {
        Random rnd = new Random(mix(seed));
        FuzzCase c = valid(rnd);
        c.seed = seed;
        extreme(c, rnd);
        if (rnd.nextDouble() < invalidShare) {
            Mutation[] all = Mutation.values();
            c.mutation = all[rnd.nextInt(all.length)];
            c.backward = false;
            c.mutation.apply(c, rnd);
        }
        return c;
    }

    private static FuzzCase valid(Random rnd) {
        FuzzCase c = new FuzzCase();
        double t = rnd.nextDouble();
        c.dtype = t < 0.5 ? DType.FP32 : t < 0.75 ? DType.FP16 : DType.BF16;
        int b = pick(rnd, 1, 1, 1, 2, 2, 3);
        int hkv = pick(rnd, 1, 1, 2, 2, 3);
        int hq = hkv * pick(rnd, 1, 1, 2, 3, 4);
        int d = HEAD_DIMS[rnd.nextInt(HEAD_DIMS.length)];
        int dv = rnd.nextBoolean() ? d : HEAD_DIMS[rnd.nextInt(HEAD_DIMS.length)];
        long cap = rnd.nextInt(10) == 0 ? LARGE_WORK : SMALL_WORK;
        int nq;
        int nk;
        do {
            nk = LENGTHS[rnd.nextInt(LENGTHS.length)];
            nq = rnd.nextInt(5) == 0 ? nk : LENGTHS[rnd.nextInt(LENGTHS.length)];
            if ((long) b * hq * nq * nk * (d + dv) > cap) {
                // Shrink the heads and batch before the lengths, so long sequences still come up.
                b = 1;
                hq = hkv;
                if ((long) hq * nq * nk * (d + dv) > cap) {
                    hkv = 1;
                    hq = 1;
                }
            }
        } while ((long) b * hq * nq * nk * (d + dv) > cap);
        c.qShape = new int[] {b, hq, nq, d};
        c.kShape = new int[] {b, hkv, nk, d};
        c.vShape = new int[] {b, hkv, nk, dv};
        c.normalizer = Normalizer.values()[rnd.nextInt(3)];

        c.causal = rnd.nextDouble() < 0.35;
        if (rnd.nextDouble() < 0.3) {
            c.window = true;
            c.windowLeft = small(rnd, nk + 2);
            c.windowRight = rnd.nextDouble() < 0.4 ? 0 : small(rnd, nk + 2);
            if (rnd.nextDouble() < 0.35) {
                c.globalTokens = 1 + rnd.nextInt(5);
            }
        }
        if (rnd.nextDouble() < 0.25) {
            c.blockMaskQ = TILES[rnd.nextInt(TILES.length)];
            c.blockMaskK = TILES[rnd.nextInt(TILES.length)];
            int qb = Mutation.ceil(nq, c.blockMaskQ);
            int kb = Mutation.ceil(nk, c.blockMaskK);
            c.blockMaskShape = rnd.nextBoolean() ? new int[] {qb, kb}
                    : new int[] {rnd.nextBoolean() ? 1 : b, rnd.nextBoolean() ? 1 : hq, qb, kb};
            c.blockMaskDensity = new double[] {0.1, 0.5, 0.9, 1.0}[rnd.nextInt(4)];
        }
        if (rnd.nextDouble() < 0.2) {
            c.topKBlocks = true;
            c.topKBlocksK = 1 + rnd.nextInt(4);
            c.topKBlocksQ = TILES[rnd.nextInt(TILES.length)];
            c.topKBlocksKTile = TILES[rnd.nextInt(TILES.length)];
        }
        if (rnd.nextDouble() < 0.25) {
            c.topKTokens = 1 + rnd.nextInt(nk + 3);
        }
        if (c.normalizer == Normalizer.SOFTMAX && rnd.nextDouble() < 0.3) {
            c.returnLse = true;
            if (rnd.nextDouble() < 0.3) {
                c.callerLseDType = DType.FP32;
                c.callerLseShape = new int[] {b, hq, nq};
            }
        }
        c.returnProbabilities = rnd.nextDouble() < 0.08;
        if (rnd.nextDouble() < 0.15) {
            c.outputDType = Mutation.other(c.dtype, rnd);
        }
        if (rnd.nextDouble() < 0.1) {
            c.callerOutputDType = c.outputDType != null ? c.outputDType : c.dtype;
            c.callerOutputShape = new int[] {b, hq, nq, dv};
        }

        double defaultScale = 1 / Math.sqrt(d);
        if (c.topKTokens != null) {
            c.integerData = true;
            // A power of two near 1/sqrt(D): scores are exact, and softmax is not peaked.
            double s = Math.pow(2, -Math.round(Math.log(Math.sqrt(d)) / Math.log(2)));
            c.scale = rnd.nextInt(5) == 0 ? -s : s;
        } else {
            c.sigma = new double[] {0.25, 1, 1, 2}[rnd.nextInt(4)];
            if (rnd.nextBoolean()) {
                c.scale = (rnd.nextBoolean() ? 1 : -1) * (0.05 + 1.45 * rnd.nextDouble()) * defaultScale;
            }
        }
        // Backward on a share of the requests whose softmax is not peaked (scores of about unit spread).
        double spread = Math.abs(c.scale != null ? c.scale : defaultScale) * Math.sqrt(d)
                * (c.integerData ? 1 : c.sigma * c.sigma);
        c.backward = rnd.nextDouble() < 0.12 && spread <= 1.01;
        if (c.backward) {
            // Each provider's backward reads its own O: no destination the two forward passes would share.
            c.callerOutputShape = null;
            c.callerLseShape = null;
        }
        return c;
    }

    /**
     * Valid but extreme, each independently: NaN, infinite, huge or subnormal values in some inputs (one request in
     * ten), a huge or tiny scale, tiles near Integer.MAX_VALUE (one in twenty-five each).
     */
    private static void extreme(FuzzCase c, Random rnd) {
        if (rnd.nextDouble() < 0.1) {
            List<String> in = new ArrayList<>();
            for (String name : new String[] {"q", "k", "v", "gradOutput"}) {
                if (rnd.nextBoolean()) {
                    in.add(name);
                }
            }
            if (in.isEmpty() || in.equals(List.of("gradOutput"))) {
                in.add(0, new String[] {"q", "k", "v"}[rnd.nextInt(3)]);
            }
            c.nonFiniteIn = in;
            c.backward = rnd.nextBoolean() && c.callerOutputShape == null && c.callerLseShape == null;
        }
        if (rnd.nextDouble() < 0.04) {
            extremeScale(c, rnd);
        }
        if (rnd.nextDouble() < 0.04) {
            int huge = Integer.MAX_VALUE - rnd.nextInt(3);
            if (rnd.nextBoolean() || !c.topKBlocks) {
                c.blockMaskQ = rnd.nextBoolean() ? huge : 1 + rnd.nextInt(4);
                c.blockMaskK = huge;
                c.blockMaskShape = new int[] {Mutation.ceil(c.queryLength(), c.blockMaskQ),
                        Mutation.ceil(c.keyLength(), c.blockMaskK)};
                c.blockMaskDensity = 1.0;
            }
            if (c.topKBlocks || rnd.nextBoolean()) {
                c.topKBlocks = true;
                c.topKBlocksK = 1 + rnd.nextInt(2);
                c.topKBlocksQ = huge;
                c.topKBlocksKTile = rnd.nextBoolean() ? huge : 1 + rnd.nextInt(4);
            }
        }
    }

    /**
     * A huge or tiny scale. Half of them with q and k in {-1, 1} and a power of two, so that every score is exact in
     * float32 as in float64 (until it leaves float32's range, beyond about 2^128 / D, where {@link FloatRange}
     * takes the case out of the comparison): with other data a float32 score of 1e10 is off by about 1e3, which
     * decides the weights, and the comparison would measure that rounding rather than a disagreement. The other
     * half keep their data and get a scale far outside float32's range (above 1e45, below 1e-46), held to the
     * exception rule where the scores leave the range, compared where they do not (tiny scales).
     */
    private static void extremeScale(FuzzCase c, Random rnd) {
        double sign = rnd.nextInt(4) == 0 ? -1 : 1;
        boolean huge = rnd.nextBoolean();
        if (rnd.nextBoolean()) {
            c.integerData = true;
            c.scale = sign * Math.pow(2, huge ? 33 + rnd.nextInt(100) : -150 - rnd.nextInt(870));
        } else if (c.topKTokens == null) {
            c.scale = sign * Math.pow(10, huge ? 45 + rnd.nextInt(255) : -46 - rnd.nextInt(255));
        }
    }

    /**
     * SplitMix64's finaliser: java.util.Random's first draws from consecutive seeds are nearly equal, which would
     * give runs of cases alike (the same type for hundreds of seeds in a row).
     */
    static long mix(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Mostly small values, sometimes up to {@code max}. */
    private static int small(Random rnd, int max) {
        return rnd.nextInt(3) == 0 ? rnd.nextInt(max + 1) : rnd.nextInt(Math.min(max, 8) + 1);
    }

    private static int pick(Random rnd, int... options) {
        return options[rnd.nextInt(options.length)];
    }
}
