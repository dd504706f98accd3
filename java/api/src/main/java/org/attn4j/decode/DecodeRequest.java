package org.attn4j.decode;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.MaskKind;
import org.attn4j.mask.SlidingWindow;

/**
 * One decode step as docs/SPEC.md ("Decoding with a KV cache") defines it: the queries {@code Q [B, Hq, Nq, D]} of
 * the last {@code Nq} positions of every sequence of a {@link KvCache}, attending causally to what the cache holds,
 * with the masks and selections that make sense causally: a sliding window (with global tokens), a block mask over
 * absolute positions, block top-k over the cache's blocks, token top-k; softmax, sparsemax or entmax-1.5. GQA as in
 * the forward pass: query head {@code h} reads kv head {@code h / (Hq / Hkv)}.
 *
 * <pre>{@code
 * DecodeRequest r = DecodeRequest.builder(q, cache).window(1024).globalTokens(16).build();
 * DecodeRequest s = DecodeRequest.builder(q, cache).topKBlocks(8).normalizer(Normalizer.ENTMAX15).build();
 * }</pre>
 */
public final class DecodeRequest {
    private final Tensor q;
    private final KvCache cache;
    private final Double scale;
    private final SlidingWindow window;
    private final BlockMask blockMask;
    private final int blockTopK;
    private final boolean blocksPerGroup;
    private final int tokenTopK;
    private final Normalizer normalizer;
    private final boolean returnLse;
    private final DType outputDType;
    private final Tensor output;
    private final Tensor lseOutput;

    private DecodeRequest(Builder b) {
        this.q = b.q;
        this.cache = b.cache;
        this.scale = b.scale;
        this.window = b.window;
        this.blockMask = b.blockMask;
        this.blockTopK = b.blockTopK;
        this.blocksPerGroup = b.blocksPerGroup;
        this.tokenTopK = b.tokenTopK;
        this.normalizer = b.normalizer;
        this.returnLse = b.returnLse;
        this.outputDType = b.outputDType;
        this.output = b.output;
        this.lseOutput = b.lseOutput;
    }

    public static Builder builder(Tensor q, KvCache cache) {
        return new Builder(q, cache);
    }

    /** A builder holding every setting of this request (to change the queries or a mask for the next step). */
    public Builder toBuilder() {
        Builder b = new Builder(q, cache);
        b.scale = scale;
        b.window = window;
        b.blockMask = blockMask;
        b.blockTopK = blockTopK;
        b.blocksPerGroup = blocksPerGroup;
        b.tokenTopK = tokenTopK;
        b.normalizer = normalizer;
        b.returnLse = returnLse;
        b.outputDType = outputDType;
        b.output = output;
        b.lseOutput = lseOutput;
        return b;
    }

    public Tensor q() {
        return q;
    }

    public KvCache cache() {
        return cache;
    }

    /** The score scale: as set, or {@code 1 / sqrt(D)}. */
    public double scale() {
        return scale != null ? scale : 1.0 / Math.sqrt(headDim());
    }

    /** The sliding window (its right side is 0: decoding is causal), with its global tokens. */
    public Optional<SlidingWindow> window() {
        return Optional.ofNullable(window);
    }

    /** The block mask, indexed by absolute positions: {@code M[i' / BQ, j / BK]}. */
    public Optional<BlockMask> blockMask() {
        return Optional.ofNullable(blockMask);
    }

    /** Block top-k's {@code k}: blocks kept besides the newest block and the window; blocks are the cache's. */
    public OptionalInt blockTopK() {
        return blockTopK > 0 ? OptionalInt.of(blockTopK) : OptionalInt.empty();
    }

    /**
     * Whether block top-k chooses once per kv head group (scored with the mean of the group's queries, so that the
     * group reads its chosen blocks once), rather than per query head.
     */
    public boolean blockTopKPerGroup() {
        return blocksPerGroup;
    }

    /** Token top-k's {@code k}. */
    public OptionalInt tokenTopK() {
        return tokenTopK > 0 ? OptionalInt.of(tokenTopK) : OptionalInt.empty();
    }

    public Normalizer normalizer() {
        return normalizer;
    }

    public boolean returnLse() {
        return returnLse;
    }

    /** Type of O: as set, or the cache's type. LSE is always fp32. */
    public DType outputDType() {
        return outputDType != null ? outputDType : q.dtype();
    }

    public Optional<Tensor> output() {
        return Optional.ofNullable(output);
    }

    public Optional<Tensor> lseOutput() {
        return Optional.ofNullable(lseOutput);
    }

    public DType dtype() {
        return q.dtype();
    }

    public Device device() {
        return q.device();
    }

    public int batch() {
        return q.dim(0);
    }

    public int queryHeads() {
        return q.dim(1);
    }

    public int kvHeads() {
        return cache.kvHeads();
    }

    /** Query heads per kv head: the heads that share one read of the group's keys and values. */
    public int groupSize() {
        return queryHeads() / kvHeads();
    }

    /** {@code Nq}: new queries per sequence. */
    public int queryLength() {
        return q.dim(2);
    }

    public int headDim() {
        return q.dim(3);
    }

    public int valueDim() {
        return cache.valueDim();
    }

    /** The masks this request uses; causal always (decoding is causal). */
    public Set<MaskKind> maskKinds() {
        EnumSet<MaskKind> kinds = EnumSet.of(MaskKind.CAUSAL);
        if (window != null) {
            kinds.add(MaskKind.SLIDING_WINDOW);
            if (window.globalTokens() > 0) {
                kinds.add(MaskKind.GLOBAL_TOKENS);
            }
        }
        if (blockMask != null) {
            kinds.add(MaskKind.BLOCK_MASK);
        }
        if (blockTopK > 0) {
            kinds.add(MaskKind.BLOCK_TOPK);
        }
        if (tokenTopK > 0) {
            kinds.add(MaskKind.TOKEN_TOPK);
        }
        return kinds;
    }

    /** Throws an IllegalArgumentException naming a tensor or the cache if it was closed since the build. */
    public void checkOpen() {
        if (cache.isClosed()) {
            throw new IllegalArgumentException("cache: closed");
        }
        String[] names = {"q", "output", "lseOutput"};
        Tensor[] ts = tensors();
        for (int t = 0; t < ts.length; t++) {
            if (ts[t] != null && ts[t].isClosed()) {
                throw new IllegalArgumentException(names[t] + ": tensor is closed");
            }
        }
    }

    /**
     * Checks what depends on the cache's current lengths: the block mask must cover every position held.
     *
     * @throws IllegalArgumentException naming {@code blockMask.shape}
     */
    public void checkAgainst(int[] lengths) {
        if (blockMask == null) {
            return;
        }
        int longest = 0;
        for (int l : lengths) {
            longest = Math.max(longest, l);
        }
        long qb = ((long) longest + blockMask.blockQ() - 1) / blockMask.blockQ();
        long kb = ((long) longest + blockMask.blockK() - 1) / blockMask.blockK();
        if (blockMask.queryBlocks() < qb) {
            throw new IllegalArgumentException("blockMask.shape[2] (query blocks): expected >= ceil(" + longest
                    + " / " + blockMask.blockQ() + ") = " + qb + " to cover the cache's positions, got "
                    + blockMask.queryBlocks());
        }
        if (blockMask.keyBlocks() < kb) {
            throw new IllegalArgumentException("blockMask.shape[3] (key blocks): expected >= ceil(" + longest
                    + " / " + blockMask.blockK() + ") = " + kb + " to cover the cache's positions, got "
                    + blockMask.keyBlocks());
        }
    }

    /** The tensors a call reads or writes. */
    Tensor[] tensors() {
        return new Tensor[] {q, output, lseOutput};
    }

    /** One line: shapes, type, masks and normalizer. */
    public String describe() {
        StringBuilder sb = new StringBuilder("decode ");
        sb.append(q.dtype()).append(' ').append(q.device()).append(" B=").append(batch()).append(" Hq=")
                .append(queryHeads()).append(" Hkv=").append(kvHeads()).append(" Nq=").append(queryLength())
                .append(" D=").append(headDim()).append(" Dv=").append(valueDim()).append(' ').append(normalizer);
        if (window != null) {
            sb.append(" window(").append(window.left());
            if (window.globalTokens() > 0) {
                sb.append(", global ").append(window.globalTokens());
            }
            sb.append(')');
        }
        if (blockMask != null) {
            sb.append(' ').append(blockMask);
        }
        if (blockTopK > 0) {
            sb.append(" topKBlocks(").append(blockTopK).append(" of ").append(cache.blockSize())
                    .append(blocksPerGroup ? ", per group" : "").append(')');
        }
        if (tokenTopK > 0) {
            sb.append(" topKTokens(").append(tokenTopK).append(')');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "DecodeRequest[" + describe() + "]";
    }

    /** Collects the settings of a decode step; {@link #build()} validates them. */
    public static final class Builder {
        private Tensor q;
        private KvCache cache;
        private Double scale;
        private SlidingWindow window;
        private Integer pendingGlobalTokens;
        private BlockMask blockMask;
        private int blockTopK;
        private boolean blocksPerGroup;
        private int tokenTopK;
        private Normalizer normalizer = Normalizer.SOFTMAX;
        private boolean returnLse;
        private DType outputDType;
        private Tensor output;
        private Tensor lseOutput;

        private Builder(Tensor q, KvCache cache) {
            this.q = q;
            this.cache = cache;
        }

        /** Replaces the queries, keeping every other setting. */
        public Builder q(Tensor q) {
            this.q = q;
            return this;
        }

        /** Score scale; defaults to {@code 1 / sqrt(D)}. Must be finite. */
        public Builder scale(double scale) {
            this.scale = scale;
            return this;
        }

        /** Sliding window: the query at position {@code i'} sees keys {@code i' - left .. i'}. */
        public Builder window(int left) {
            int g = window != null ? window.globalTokens() : 0;
            this.window = SlidingWindow.of(left, 0, g);
            return this;
        }

        /** The first {@code g} positions are seen by every query, and see every key (requires a window). */
        public Builder globalTokens(int g) {
            this.pendingGlobalTokens = g;
            return this;
        }

        /** A block mask over absolute positions ({@code [QB, KB]} or {@code [B|1, Hq|1, QB, KB]}). */
        public Builder blockMask(BlockMask mask) {
            this.blockMask = mask;
            return this;
        }

        /** Block top-k: keep the {@code k} best blocks of the cache besides the newest block and the window. */
        public Builder topKBlocks(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("topKBlocks.k: expected >= 1, got " + k);
            }
            this.blockTopK = k;
            this.blocksPerGroup = false;
            return this;
        }

        /**
         * Block top-k chosen once per kv head group: each block scored with the mean of the group's queries, every
         * query head of the group keeping the same blocks, so that GQA reads them once (NSA's choice).
         */
        public Builder topKBlocksPerGroup(int k) {
            topKBlocks(k);
            this.blocksPerGroup = true;
            return this;
        }

        /** Token top-k: each query keeps its {@code k} best allowed keys. */
        public Builder topKTokens(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("topKTokens.k: expected >= 1, got " + k);
            }
            this.tokenTopK = k;
            return this;
        }

        public Builder normalizer(Normalizer normalizer) {
            this.normalizer = normalizer;
            return this;
        }

        /** Also return the log-sum-exp {@code [B, Hq, Nq]} (fp32; softmax only). */
        public Builder returnLse(boolean returnLse) {
            this.returnLse = returnLse;
            return this;
        }

        /** Type of O (default: the cache's type). */
        public Builder outputDType(DType dtype) {
            this.outputDType = dtype;
            return this;
        }

        /** Write O into this tensor {@code [B, Hq, Nq, Dv]} instead of allocating one. */
        public Builder output(Tensor output) {
            this.output = output;
            return this;
        }

        /** Write LSE into this tensor {@code [B, Hq, Nq]} (fp32; implies {@link #returnLse(boolean) returnLse}). */
        public Builder lseOutput(Tensor lse) {
            this.lseOutput = lse;
            if (lse != null) {
                this.returnLse = true;
            }
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the first invalid field and the value it expected
         */
        public DecodeRequest build() {
            if (cache == null) {
                throw new IllegalArgumentException("cache: expected a KvCache, got null");
            }
            if (cache.isClosed()) {
                throw new IllegalArgumentException("cache: closed");
            }
            if (pendingGlobalTokens != null) {
                if (window == null) {
                    throw new IllegalArgumentException("globalTokens: only meaningful with a sliding window;"
                            + " set window(left) too");
                }
                window = window.withGlobalTokens(pendingGlobalTokens);
                pendingGlobalTokens = null;
            }
            if (q == null) {
                throw new IllegalArgumentException("q: expected a tensor, got null");
            }
            if (q.isClosed()) {
                throw new IllegalArgumentException("q: tensor is closed");
            }
            int[] qs = q.shape();
            if (qs.length != 4) {
                throw new IllegalArgumentException("q.shape: expected rank 4 [B, Hq, Nq, D], got "
                        + Arrays.toString(qs));
            }
            if (qs[0] != cache.batch()) {
                throw new IllegalArgumentException("q.shape[0] (batch): expected " + cache.batch()
                        + " (the cache's sequences), got " + qs[0]);
            }
            if (qs[1] < 1 || qs[1] % cache.kvHeads() != 0) {
                throw new IllegalArgumentException("q.shape[1] (query heads): expected a multiple of "
                        + cache.kvHeads() + " (the cache's kv heads), got " + qs[1]);
            }
            if (qs[2] < 1) {
                throw new IllegalArgumentException("q.shape[2] (new queries): expected >= 1, got " + qs[2]);
            }
            if (qs[3] != cache.headDim()) {
                throw new IllegalArgumentException("q.shape[3] (head dim): expected " + cache.headDim()
                        + " as in the cache, got " + qs[3]);
            }
            if (q.dtype() != cache.dtype()) {
                throw new IllegalArgumentException("q.dtype: expected " + cache.dtype() + " (the cache's), got "
                        + q.dtype());
            }
            if (!q.device().equals(cache.device())) {
                throw new IllegalArgumentException("q.device: expected " + cache.device() + " (the cache's), got "
                        + q.device());
            }
            if (scale != null && (scale.isNaN() || scale.isInfinite())) {
                throw new IllegalArgumentException("scale: expected a finite number, got " + scale);
            }
            if (normalizer == null) {
                throw new IllegalArgumentException("normalizer: expected softmax, sparsemax or entmax15, got null");
            }
            if (blockMask != null) {
                if (blockMask.batch() != 1 && blockMask.batch() != qs[0]) {
                    throw new IllegalArgumentException("blockMask.shape[0] (batch): expected 1 or " + qs[0]
                            + ", got " + blockMask.batch());
                }
                if (blockMask.heads() != 1 && blockMask.heads() != qs[1]) {
                    throw new IllegalArgumentException("blockMask.shape[1] (heads): expected 1 or " + qs[1]
                            + " (query heads), got " + blockMask.heads());
                }
            }
            if (returnLse && normalizer != Normalizer.SOFTMAX) {
                throw new IllegalArgumentException("returnLse: the log-sum-exp is defined for softmax only, not "
                        + normalizer);
            }
            int dv = cache.valueDim();
            if (output != null) {
                checkOutput("output", output, new int[] {qs[0], qs[1], qs[2], dv});
                if (outputDType != null && output.dtype() != outputDType) {
                    throw new IllegalArgumentException("output.dtype: expected " + outputDType
                            + " (outputDType), got " + output.dtype());
                }
                if (outputDType == null) {
                    outputDType = output.dtype();
                }
            }
            if (lseOutput != null) {
                checkOutput("lseOutput", lseOutput, new int[] {qs[0], qs[1], qs[2]});
                if (lseOutput.dtype() != DType.FP32) {
                    throw new IllegalArgumentException("lseOutput.dtype: expected fp32, got " + lseOutput.dtype());
                }
            }
            return new DecodeRequest(this);
        }

        private void checkOutput(String field, Tensor t, int[] expected) {
            if (t.isClosed()) {
                throw new IllegalArgumentException(field + ": tensor is closed");
            }
            if (!Arrays.equals(t.shape(), expected)) {
                throw new IllegalArgumentException(field + ".shape: expected " + Arrays.toString(expected)
                        + ", got " + Arrays.toString(t.shape()));
            }
            if (!t.device().equals(q.device())) {
                throw new IllegalArgumentException(field + ".device: expected " + q.device() + ", got "
                        + t.device());
            }
            if (Objects.equals(t.storage(), q.storage())) {
                throw new IllegalArgumentException(field + ": must not be the q tensor");
            }
        }
    }
}
