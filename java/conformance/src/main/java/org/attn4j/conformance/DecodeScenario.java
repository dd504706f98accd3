package org.attn4j.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.decode.KvCacheConfig;

/**
 * One decode case: a cache of {@code batch} sequences filled by a prefill of uneven lengths, then {@code steps}
 * appends of {@code Nq} positions to every sequence, with a decode step (fresh queries) after the prefill and after
 * each append, under the masks and normalizer set here.
 */
final class DecodeScenario {
    final long seed;
    final DType dtype;
    final int batch;
    final int kvHeads;
    final int group;
    final int headDim;
    final int valueDim;
    final int queries;
    final int[] prefill;
    final int steps;
    final int blockSize;
    final int capacity;
    final boolean fixedCapacity;
    final Normalizer normalizer;
    final Double scale;
    final int windowLeft;
    final int globalTokens;
    final BlockPattern blockPattern;
    final int maskBlockQ;
    final int maskBlockK;
    final int blockTopK;
    final boolean blocksPerGroup;
    final int tokenTopK;
    final boolean lse;
    final boolean callerOutput;
    final DType outputDType;

    private DecodeScenario(Builder b) {
        this.seed = b.seed;
        this.dtype = b.dtype;
        this.batch = b.prefill.length;
        this.kvHeads = b.kvHeads;
        this.group = b.group;
        this.headDim = b.headDim;
        this.valueDim = b.valueDim;
        this.queries = b.queries;
        this.prefill = b.prefill.clone();
        this.steps = b.steps;
        this.blockSize = b.blockSize;
        this.capacity = b.capacity;
        this.fixedCapacity = b.fixedCapacity;
        this.normalizer = b.normalizer;
        this.scale = b.scale;
        this.windowLeft = b.windowLeft;
        this.globalTokens = b.globalTokens;
        this.blockPattern = b.blockPattern;
        this.maskBlockQ = b.maskBlockQ;
        this.maskBlockK = b.maskBlockK;
        this.blockTopK = b.blockTopK;
        this.blocksPerGroup = b.blocksPerGroup;
        this.tokenTopK = b.tokenTopK;
        this.lse = b.lse;
        this.callerOutput = b.callerOutput;
        this.outputDType = b.outputDType;
    }

    static Builder builder(int kvHeads, int group, int... prefill) {
        return new Builder(kvHeads, group, prefill);
    }

    int queryHeads() {
        return kvHeads * group;
    }

    /** The appends: the prefill, then {@code steps} times {@code Nq} positions for every sequence. */
    List<int[]> appends() {
        List<int[]> out = new ArrayList<>();
        out.add(prefill.clone());
        for (int t = 0; t < steps; t++) {
            int[] c = new int[batch];
            Arrays.fill(c, queries);
            out.add(c);
        }
        return out;
    }

    /** The longest sequence at the end. */
    int finalLength() {
        int longest = 0;
        for (int p : prefill) {
            longest = Math.max(longest, p);
        }
        return longest + steps * queries;
    }

    KvCacheConfig config() {
        KvCacheConfig.Builder b = KvCacheConfig.builder(batch, kvHeads, headDim).valueDim(valueDim).dtype(dtype)
                .capacity(capacity).blockSize(blockSize);
        return (fixedCapacity ? b.fixedCapacity() : b).build();
    }

    String name() {
        StringBuilder sb = new StringBuilder();
        sb.append(dtype).append(" decode B=").append(batch).append(" Hq=").append(queryHeads()).append(" Hkv=")
                .append(kvHeads).append(" Nq=").append(queries).append(" D=").append(headDim).append(" Dv=")
                .append(valueDim).append(" prefill ").append(Arrays.toString(prefill)).append(" +").append(steps)
                .append(" steps, blocks of ").append(blockSize).append(", capacity ").append(capacity)
                .append(fixedCapacity ? " fixed" : "").append(' ').append(normalizer);
        if (scale != null) {
            sb.append(" scale ").append(scale);
        }
        if (windowLeft >= 0) {
            sb.append(" window(").append(windowLeft).append(globalTokens > 0 ? ", global " + globalTokens : "")
                    .append(')');
        }
        if (blockPattern != null) {
            sb.append(" blockMask ").append(blockPattern.label()).append(' ').append(maskBlockQ).append('x')
                    .append(maskBlockK);
        }
        if (blockTopK > 0) {
            sb.append(" topKBlocks(").append(blockTopK).append(blocksPerGroup ? ", per group" : "").append(')');
        }
        if (tokenTopK > 0) {
            sb.append(" topKTokens(").append(tokenTopK).append(')');
        }
        if (lse) {
            sb.append(" +lse");
        }
        if (callerOutput) {
            sb.append(" caller output");
        }
        if (outputDType != null) {
            sb.append(" O as ").append(outputDType);
        }
        return sb.append(" seed ").append(seed).toString();
    }

    /**
     * This scenario for a provider that holds caches of {@code dtypes} with head dims {@code headDims} (null: any up
     * to {@code maxHeadDim}): fp32 moves to the first type declared, the head dim to the nearest supported one, and
     * token top-k gets an explicit power-of-two scale (exact scores, as the data assume).
     */
    DecodeScenario adaptTo(java.util.Set<DType> dtypes, java.util.Set<Integer> headDims, int maxHeadDim,
                           boolean valueDimMustEqualHeadDim) {
        Builder b = toBuilder();
        if (!dtypes.contains(dtype)) {
            b.dtype(dtypes.iterator().next());
        }
        int d = Math.max(1, Math.min(headDim, maxHeadDim));
        if (headDims != null && !headDims.isEmpty()) {
            int best = -1;
            for (int x : headDims) {
                if (x <= maxHeadDim && (best < 0 || Math.abs(x - headDim) < Math.abs(best - headDim))) {
                    best = x;
                }
            }
            d = best > 0 ? best : headDim;
        }
        b.dims(d, valueDim == headDim || valueDimMustEqualHeadDim ? d : valueDim);
        if (tokenTopK > 0 && scale == null) {
            b.scale(Math.scalb(1.0, -1 - (int) Math.round(Math.log(Math.sqrt(d)) / Math.log(2))));
        }
        return b.build();
    }

    Builder toBuilder() {
        Builder b = new Builder(kvHeads, group, prefill);
        b.seed = seed;
        b.dtype = dtype;
        b.headDim = headDim;
        b.valueDim = valueDim;
        b.queries = queries;
        b.steps = steps;
        b.blockSize = blockSize;
        b.capacity = capacity;
        b.fixedCapacity = fixedCapacity;
        b.normalizer = normalizer;
        b.scale = scale;
        b.windowLeft = windowLeft;
        b.globalTokens = globalTokens;
        b.blockPattern = blockPattern;
        b.maskBlockQ = maskBlockQ;
        b.maskBlockK = maskBlockK;
        b.blockTopK = blockTopK;
        b.blocksPerGroup = blocksPerGroup;
        b.tokenTopK = tokenTopK;
        b.lse = lse;
        b.callerOutput = callerOutput;
        b.outputDType = outputDType;
        return b;
    }

    static final class Builder {
        private long seed;
        private DType dtype = DType.FP32;
        private final int kvHeads;
        private final int group;
        private final int[] prefill;
        private int headDim = 16;
        private int valueDim = 16;
        private int queries = 1;
        private int steps = 2;
        private int blockSize = 8;
        private int capacity = 4;
        private boolean fixedCapacity;
        private Normalizer normalizer = Normalizer.SOFTMAX;
        private Double scale;
        private int windowLeft = -1;
        private int globalTokens;
        private BlockPattern blockPattern;
        private int maskBlockQ;
        private int maskBlockK;
        private int blockTopK;
        private boolean blocksPerGroup;
        private int tokenTopK;
        private boolean lse;
        private boolean callerOutput;
        private DType outputDType;

        private Builder(int kvHeads, int group, int[] prefill) {
            this.kvHeads = kvHeads;
            this.group = group;
            this.prefill = prefill.clone();
        }

        Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        Builder dtype(DType dtype) {
            this.dtype = dtype;
            return this;
        }

        Builder dims(int d, int dv) {
            this.headDim = d;
            this.valueDim = dv;
            return this;
        }

        Builder queries(int nq) {
            this.queries = nq;
            return this;
        }

        Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        Builder blockSize(int blockSize) {
            this.blockSize = blockSize;
            return this;
        }

        Builder capacity(int capacity, boolean fixed) {
            this.capacity = capacity;
            this.fixedCapacity = fixed;
            return this;
        }

        Builder normalizer(Normalizer n) {
            this.normalizer = n;
            return this;
        }

        Builder scale(double scale) {
            this.scale = scale;
            return this;
        }

        Builder window(int left, int global) {
            this.windowLeft = left;
            this.globalTokens = global;
            return this;
        }

        Builder blockMask(BlockPattern pattern, int bq, int bk) {
            this.blockPattern = pattern;
            this.maskBlockQ = bq;
            this.maskBlockK = bk;
            return this;
        }

        Builder topKBlocks(int k) {
            this.blockTopK = k;
            return this;
        }

        Builder topKBlocksPerGroup(int k) {
            this.blockTopK = k;
            this.blocksPerGroup = true;
            return this;
        }

        Builder topKTokens(int k) {
            this.tokenTopK = k;
            return this;
        }

        Builder lse(boolean lse) {
            this.lse = lse;
            return this;
        }

        Builder callerOutput(boolean callerOutput) {
            this.callerOutput = callerOutput;
            return this;
        }

        Builder outputDType(DType outputDType) {
            this.outputDType = outputDType;
            return this;
        }

        DecodeScenario build() {
            return new DecodeScenario(this);
        }
    }
}
