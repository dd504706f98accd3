package org.attn4j.conformance;

import java.util.Set;
import org.attn4j.AttentionRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.BlockTopK;
import org.attn4j.mask.SlidingWindow;
import org.attn4j.mask.TokenTopK;
import org.attn4j.spi.Capabilities;

/**
 * One attention configuration the kit runs: shapes, type, masks, normalizer, outputs and the seed of its data.
 * Immutable; {@link #toBuilder()} derives variants. Its {@link #name()} says everything that defines the case, so a
 * failure report alone tells which configuration broke.
 */
final class Scenario {
    final DType dtype;
    final int batch;
    final int queryHeads;
    final int kvHeads;
    final int queryLength;
    final int keyLength;
    final int headDim;
    final int valueDim;
    final Normalizer normalizer;
    final Double scale;
    final boolean causal;
    final SlidingWindow window;
    final BlockPattern blockPattern;
    final int maskBlockQ;
    final int maskBlockK;
    final BlockTopK blockTopK;
    final TokenTopK tokenTopK;
    final boolean lse;
    final boolean probabilities;
    final boolean callerOutput;
    final boolean callerLse;
    final DType outputDType;
    final long seed;

    private Scenario(Builder b) {
        this.dtype = b.dtype;
        this.batch = b.batch;
        this.queryHeads = b.queryHeads;
        this.kvHeads = b.kvHeads;
        this.queryLength = b.queryLength;
        this.keyLength = b.keyLength;
        this.headDim = b.headDim;
        this.valueDim = b.valueDim;
        this.normalizer = b.normalizer;
        this.scale = b.scale;
        this.causal = b.causal;
        this.window = b.window;
        this.blockPattern = b.blockPattern;
        this.maskBlockQ = b.maskBlockQ;
        this.maskBlockK = b.maskBlockK;
        this.blockTopK = b.blockTopK;
        this.tokenTopK = b.tokenTopK;
        this.lse = b.lse;
        this.probabilities = b.probabilities;
        this.callerOutput = b.callerOutput;
        this.callerLse = b.callerLse;
        this.outputDType = b.outputDType;
        this.seed = b.seed;
    }

    /** Defaults: fp32, B=1, Hq=Hkv=2, Nq=Nk=64, D=Dv=16, softmax, no mask, no extra output, seed 1. */
    static Builder builder() {
        return new Builder();
    }

    Builder toBuilder() {
        Builder b = new Builder();
        b.dtype = dtype;
        b.batch = batch;
        b.queryHeads = queryHeads;
        b.kvHeads = kvHeads;
        b.queryLength = queryLength;
        b.keyLength = keyLength;
        b.headDim = headDim;
        b.valueDim = valueDim;
        b.normalizer = normalizer;
        b.scale = scale;
        b.causal = causal;
        b.window = window;
        b.blockPattern = blockPattern;
        b.maskBlockQ = maskBlockQ;
        b.maskBlockK = maskBlockK;
        b.blockTopK = blockTopK;
        b.tokenTopK = tokenTopK;
        b.lse = lse;
        b.probabilities = probabilities;
        b.callerOutput = callerOutput;
        b.callerLse = callerLse;
        b.outputDType = outputDType;
        b.seed = seed;
        return b;
    }

    /**
     * This scenario with head dimensions the provider supports: the declared one closest to the wanted one (the
     * smaller on a tie), capped by the maximum, and Dv = D where the provider needs it. Token top-k cases draw
     * integer queries and keys and need a power-of-two scale so that every provider computes the very same scores
     * (see {@link ScenarioData}); it is fixed here, once D is known.
     */
    Scenario adaptTo(Capabilities caps) {
        int d = supportedDim(headDim, caps);
        int dv = valueDim == headDim || caps.valueDimMustEqualHeadDim() ? d : valueDim;
        Builder b = toBuilder().headDim(d).valueDim(dv);
        if (tokenTopK != null && scale == null) {
            // Half of the power of two nearest 1/sqrt(D): exact, and never the default, so these cases also check
            // that an explicit scale is honoured.
            b.scale(Math.scalb(1.0, -1 - (int) Math.round(Math.log(Math.sqrt(d)) / Math.log(2))));
        }
        return b.build();
    }

    private static int supportedDim(int wanted, Capabilities caps) {
        Set<Integer> dims = caps.headDims();
        if (dims == null || dims.isEmpty()) {
            return Math.max(1, Math.min(wanted, caps.maxHeadDim()));
        }
        int best = -1;
        for (int d : dims) {
            if (d > caps.maxHeadDim()) {
                continue;
            }
            if (best < 0 || Math.abs(d - wanted) < Math.abs(best - wanted)) {
                best = d;
            }
        }
        return best > 0 ? best : wanted;
    }

    boolean usesBlockTopKOrMask() {
        return blockTopK != null || blockPattern != null;
    }

    int[] qShape() {
        return new int[] {batch, queryHeads, queryLength, headDim};
    }

    int[] kShape() {
        return new int[] {batch, kvHeads, keyLength, headDim};
    }

    int[] vShape() {
        return new int[] {batch, kvHeads, keyLength, valueDim};
    }

    int[] oShape() {
        return new int[] {batch, queryHeads, queryLength, valueDim};
    }

    int[] lseShape() {
        return new int[] {batch, queryHeads, queryLength};
    }

    /** Sets this scenario's scale and masks (not its tensors or outputs) on {@code b}. */
    AttentionRequest.Builder configure(AttentionRequest.Builder b, BlockMask blockMask) {
        if (scale != null) {
            b.scale(scale);
        }
        b.causal(causal).normalizer(normalizer);
        if (window != null) {
            b.window(window);
        }
        if (blockMask != null) {
            b.blockMask(blockMask);
        }
        if (blockTopK != null) {
            b.topKBlocks(blockTopK);
        }
        if (tokenTopK != null) {
            b.topKTokens(tokenTopK);
        }
        return b;
    }

    /** MHA, GQA or MQA. */
    String attentionKind() {
        if (kvHeads == queryHeads) {
            return "MHA";
        }
        return kvHeads == 1 ? "MQA" : "GQA";
    }

    /** Everything that defines the case, e.g. {@code fp32 GQA B=2 Hq=4 Hkv=2 Nq=100 Nk=100 D=16 Dv=16 softmax causal seed=3}. */
    String name() {
        StringBuilder sb = new StringBuilder();
        sb.append(dtype);
        if (outputDType != null && outputDType != dtype) {
            sb.append("->").append(outputDType);
        }
        sb.append(' ').append(attentionKind())
                .append(" B=").append(batch).append(" Hq=").append(queryHeads).append(" Hkv=").append(kvHeads)
                .append(" Nq=").append(queryLength).append(" Nk=").append(keyLength)
                .append(" D=").append(headDim).append(" Dv=").append(valueDim)
                .append(' ').append(normalizer);
        if (scale != null) {
            sb.append(" scale=").append(scale);
        }
        if (causal) {
            sb.append(" causal");
        }
        if (window != null) {
            sb.append(" window(").append(window.left()).append(',').append(window.right());
            if (window.globalTokens() > 0) {
                sb.append(",global=").append(window.globalTokens());
            }
            sb.append(')');
        }
        if (blockPattern != null) {
            sb.append(" blockMask").append(blockPattern.label()).append(' ').append(maskBlockQ).append('x')
                    .append(maskBlockK);
        }
        if (blockTopK != null) {
            sb.append(" topKBlocks(").append(blockTopK.k()).append(',').append(blockTopK.blockQ()).append('x')
                    .append(blockTopK.blockK()).append(')');
        }
        if (tokenTopK != null) {
            sb.append(" topKTokens(").append(tokenTopK.k()).append(')');
        }
        if (lse) {
            sb.append(" +lse");
        }
        if (probabilities) {
            sb.append(" +probabilities");
        }
        if (callerOutput) {
            sb.append(" +callerOutput");
        }
        if (callerLse) {
            sb.append(" +callerLse");
        }
        sb.append(" seed=").append(seed);
        return sb.toString();
    }

    @Override
    public String toString() {
        return name();
    }

    /** Collects a scenario's settings. */
    static final class Builder {
        private DType dtype = DType.FP32;
        private int batch = 1;
        private int queryHeads = 2;
        private int kvHeads = 2;
        private int queryLength = 64;
        private int keyLength = 64;
        private int headDim = 16;
        private int valueDim = 16;
        private Normalizer normalizer = Normalizer.SOFTMAX;
        private Double scale;
        private boolean causal;
        private SlidingWindow window;
        private BlockPattern blockPattern;
        private int maskBlockQ;
        private int maskBlockK;
        private BlockTopK blockTopK;
        private TokenTopK tokenTopK;
        private boolean lse;
        private boolean probabilities;
        private boolean callerOutput;
        private boolean callerLse;
        private DType outputDType;
        private long seed = 1;

        Builder dtype(DType t) {
            this.dtype = t;
            return this;
        }

        Builder heads(int batch, int queryHeads, int kvHeads) {
            this.batch = batch;
            this.queryHeads = queryHeads;
            this.kvHeads = kvHeads;
            return this;
        }

        Builder lengths(int queryLength, int keyLength) {
            this.queryLength = queryLength;
            this.keyLength = keyLength;
            return this;
        }

        /** Head dim and value dim (the wanted ones; {@link #adaptTo} may change them). */
        Builder dims(int headDim, int valueDim) {
            this.headDim = headDim;
            this.valueDim = valueDim;
            return this;
        }

        Builder headDim(int d) {
            this.headDim = d;
            return this;
        }

        Builder valueDim(int dv) {
            this.valueDim = dv;
            return this;
        }

        Builder normalizer(Normalizer n) {
            this.normalizer = n;
            return this;
        }

        Builder scale(double s) {
            this.scale = s;
            return this;
        }

        Builder causal(boolean c) {
            this.causal = c;
            return this;
        }

        Builder window(int left, int right, int global) {
            this.window = SlidingWindow.of(left, right, global);
            return this;
        }

        Builder blockMask(BlockPattern pattern, int blockQ, int blockK) {
            this.blockPattern = pattern;
            this.maskBlockQ = blockQ;
            this.maskBlockK = blockK;
            return this;
        }

        Builder topKBlocks(int k, int blockQ, int blockK) {
            this.blockTopK = BlockTopK.of(k, blockQ, blockK);
            return this;
        }

        Builder topKTokens(int k) {
            this.tokenTopK = TokenTopK.of(k);
            return this;
        }

        Builder lse(boolean v) {
            this.lse = v;
            return this;
        }

        Builder probabilities(boolean v) {
            this.probabilities = v;
            return this;
        }

        Builder callerOutput(boolean v) {
            this.callerOutput = v;
            return this;
        }

        Builder callerLse(boolean v) {
            this.callerLse = v;
            return this;
        }

        Builder outputDType(DType t) {
            this.outputDType = t;
            return this;
        }

        Builder seed(long s) {
            this.seed = s;
            return this;
        }

        Scenario build() {
            return new Scenario(this);
        }
    }
}
