package org.attn4j.cpu.fuzz;

import java.util.Random;
import org.attn4j.DType;
import org.attn4j.Normalizer;

/**
 * One seeded random decode setting: a cache (shape, type, block size, fixed or growing capacity) filled by a few
 * appends of different counts per sequence, then one decode step with random masks, normalizer and scale; some
 * values non-finite or huge; and, for an invalid case, one {@link Breakage} whose field the refusal must name.
 */
final class DecodeFuzzCase {
    /** What an invalid case breaks, and the field its IllegalArgumentException must start with. */
    enum Breakage {
        NONE(""), Q_HEAD_DIM("q.shape"), Q_BATCH("q.shape"), Q_DTYPE("q.dtype"), TOKEN_TOPK_ZERO("topKTokens"),
        BLOCK_TOPK_ZERO("topKBlocks"), WINDOW_NEGATIVE("window"), LSE_WITHOUT_SOFTMAX("returnLse"),
        MASK_TOO_SMALL("blockMask.shape"), OVERFLOW_FIXED_CAPACITY("counts"), CLOSED_CACHE("cache"),
        COUNT_TOO_LARGE("counts");

        final String field;

        Breakage(String field) {
            this.field = field;
        }
    }

    final long seed;
    final int batch;
    final int kvHeads;
    final int group;
    final int headDim;
    final int valueDim;
    final DType dtype;
    final int blockSize;
    final boolean growable;
    final int capacity;
    /** {@code appends[a][b]}: positions sequence b gets in append a. */
    final int[][] appends;
    final int queries;
    final int window;
    final int globalTokens;
    final boolean blockMask;
    final int maskBlockQ;
    final int maskBlockK;
    final int blockTopK;
    final boolean perGroup;
    final int tokenTopK;
    final Normalizer normalizer;
    final boolean returnLse;
    final double scale;
    /** Which tensor gets a special value (0 none, 1 q, 2 k, 3 v) and which value. */
    final int specialIn;
    final float special;
    final Breakage breakage;

    private DecodeFuzzCase(long seed, double invalidShare) {
        this.seed = seed;
        Random r = new Random(seed);
        batch = 1 + r.nextInt(3);
        kvHeads = 1 + r.nextInt(3);
        group = 1 + r.nextInt(4);
        int[] dims = {1, 2, 3, 5, 8, 16, 32, 64};
        headDim = dims[r.nextInt(dims.length)];
        valueDim = r.nextInt(3) == 0 ? 1 + r.nextInt(20) : headDim;
        dtype = DType.values()[r.nextInt(3)];
        blockSize = r.nextInt(4) == 0 ? 64 : 1 + r.nextInt(16);
        growable = r.nextBoolean();
        int rounds = 1 + r.nextInt(3);
        appends = new int[rounds][batch];
        int longest = 0;
        int[] total = new int[batch];
        for (int a = 0; a < rounds; a++) {
            for (int b = 0; b < batch; b++) {
                appends[a][b] = r.nextInt(4) == 0 ? 0 : r.nextInt(r.nextBoolean() ? 8 : 90);
                total[b] += appends[a][b];
                longest = Math.max(longest, total[b]);
            }
        }
        capacity = growable ? 1 + r.nextInt(16) : Math.max(1, longest + r.nextInt(8));
        queries = 1 + r.nextInt(3);
        window = r.nextInt(3) == 0 ? r.nextInt(40) : -1;
        globalTokens = window >= 0 && r.nextBoolean() ? r.nextInt(5) : 0;
        blockMask = r.nextInt(4) == 0;
        maskBlockQ = 1 + r.nextInt(12);
        maskBlockK = 1 + r.nextInt(12);
        blockTopK = r.nextInt(3) == 0 ? 1 + r.nextInt(5) : 0;
        perGroup = r.nextBoolean();
        tokenTopK = r.nextInt(4) == 0 ? 1 + r.nextInt(12) : 0;
        normalizer = Normalizer.values()[r.nextInt(Normalizer.values().length)];
        returnLse = normalizer == Normalizer.SOFTMAX && r.nextBoolean();
        // No huge scale: a float32 score of 1e10 is off by about 1e3, which decides the weights (see
        // FuzzCaseGenerator); tiny ones are compared, their scores held in float32's subnormal range.
        double[] scales = {1 / Math.sqrt(headDim), 0.3, 2.5, -0.7, 1e-30, 1e-300};
        scale = r.nextInt(4) == 0 ? scales[r.nextInt(scales.length)] : 1 / Math.sqrt(headDim);
        specialIn = r.nextInt(8) == 0 ? 1 + r.nextInt(3) : 0;
        // As the forward fuzzer's: non-finite, huge (3e38: its sums leave float32's range, held to the exception rule
        // only) or subnormal. Not a large finite value such as 6e4: in a key its scores' float32 rounding (1e-3)
        // decides sparse weights, and in a value it makes O the product of one small weight, whose relative rounding
        // (1e-5 near the threshold) the comparison would then measure.
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3e38f, 1e-40f};
        special = specials[r.nextInt(specials.length)];
        if (r.nextDouble() < invalidShare) {
            Breakage[] all = Breakage.values();
            breakage = all[1 + r.nextInt(all.length - 1)];
        } else {
            breakage = Breakage.NONE;
        }
    }

    static DecodeFuzzCase draw(long seed, double invalidShare) {
        return new DecodeFuzzCase(seed, invalidShare);
    }

    int queryHeads() {
        return kvHeads * group;
    }

    /** Positions sequence b holds after every append. */
    int length(int b) {
        int n = 0;
        for (int[] a : appends) {
            n += a[b];
        }
        return n;
    }

    int longest() {
        int m = 0;
        for (int b = 0; b < batch; b++) {
            m = Math.max(m, length(b));
        }
        return m;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("decode case ").append(seed).append(": B=").append(batch)
                .append(" Hkv=").append(kvHeads).append(" group=").append(group).append(" D=").append(headDim)
                .append(" Dv=").append(valueDim).append(' ').append(dtype).append(" bs=").append(blockSize)
                .append(growable ? " growable from " : " fixed ").append(capacity).append(" appends=");
        for (int[] a : appends) {
            s.append(java.util.Arrays.toString(a));
        }
        s.append(" Nq=").append(queries);
        if (window >= 0) {
            s.append(" window=").append(window).append(',').append(globalTokens);
        }
        if (blockMask) {
            s.append(" blockMask=").append(maskBlockQ).append('x').append(maskBlockK);
        }
        if (blockTopK > 0) {
            s.append(" blockTopK=").append(blockTopK).append(perGroup ? " per group" : "");
        }
        if (tokenTopK > 0) {
            s.append(" tokenTopK=").append(tokenTopK);
        }
        s.append(' ').append(normalizer).append(returnLse ? " +lse" : "").append(" scale=").append(scale);
        if (specialIn > 0) {
            s.append(" special ").append(special).append(" in ").append("qkv".charAt(specialIn - 1));
        }
        if (breakage != Breakage.NONE) {
            s.append(" broken: ").append(breakage);
        }
        return s.toString();
    }
}
