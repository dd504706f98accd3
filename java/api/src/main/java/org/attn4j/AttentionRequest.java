package org.attn4j;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.attn4j.internal.Arguments;
import org.attn4j.internal.HostStorage;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.BlockTopK;
import org.attn4j.mask.MaskKind;
import org.attn4j.mask.SlidingWindow;
import org.attn4j.mask.TokenTopK;

/**
 * One attention computation as docs/SPEC.md defines it: {@code Q [B, Hq, Nq, D]}, {@code K [B, Hkv, Nk, D]},
 * {@code V [B, Hkv, Nk, Dv]}, the scale, every mask, the normalizer and what to return.
 *
 * <p>Built and validated by {@link Builder#build()}: an invalid request never reaches a provider. Every invalid
 * setting throws an {@link IllegalArgumentException} whose message starts with the field's name, {@code null}
 * included; {@code null} given to the setter of an optional setting (window, block mask, top-k, output type, output
 * tensors) clears it.
 *
 * <pre>{@code
 * AttentionRequest r = AttentionRequest.builder(q, k, v).causal().window(256, 0).globalTokens(4)
 *         .normalizer(Normalizer.SPARSEMAX).build();
 * }</pre>
 */
public final class AttentionRequest {
    private final Tensor q;
    private final Tensor k;
    private final Tensor v;
    private final Double scale;
    private final boolean causal;
    private final SlidingWindow window;
    private final BlockMask blockMask;
    private final BlockTopK blockTopK;
    private final TokenTopK tokenTopK;
    private final Normalizer normalizer;
    private final boolean returnLse;
    private final boolean returnProbabilities;
    private final DType outputDType;
    private final Tensor output;
    private final Tensor lseOutput;

    private AttentionRequest(Builder b) {
        this.q = b.q;
        this.k = b.k;
        this.v = b.v;
        this.scale = b.scale;
        this.causal = b.causal;
        this.window = b.window;
        this.blockMask = b.blockMask;
        this.blockTopK = b.blockTopK;
        this.tokenTopK = b.tokenTopK;
        this.normalizer = b.normalizer;
        this.returnLse = b.returnLse;
        this.returnProbabilities = b.returnProbabilities;
        this.outputDType = b.outputDType;
        this.output = b.output;
        this.lseOutput = b.lseOutput;
    }

    public static Builder builder(Tensor q, Tensor k, Tensor v) {
        return new Builder(q, k, v);
    }

    /** A builder holding every setting of this request, to derive a variant (other tensors, another mask...). */
    public Builder toBuilder() {
        Builder b = new Builder(q, k, v);
        b.scale = scale;
        b.causal = causal;
        b.window = window;
        b.blockMask = blockMask;
        b.blockTopK = blockTopK;
        b.tokenTopK = tokenTopK;
        b.normalizer = normalizer;
        b.returnLse = returnLse;
        b.returnProbabilities = returnProbabilities;
        b.outputDType = outputDType;
        b.output = output;
        b.lseOutput = lseOutput;
        return b;
    }

    public Tensor q() {
        return q;
    }

    public Tensor k() {
        return k;
    }

    public Tensor v() {
        return v;
    }

    /** The score scale: as set, or {@code 1 / sqrt(D)}. */
    public double scale() {
        return scale != null ? scale : 1.0 / Math.sqrt(headDim());
    }

    /** True when the scale was set explicitly rather than defaulted. */
    public boolean hasExplicitScale() {
        return scale != null;
    }

    public boolean causal() {
        return causal;
    }

    public Optional<SlidingWindow> window() {
        return Optional.ofNullable(window);
    }

    public Optional<BlockMask> blockMask() {
        return Optional.ofNullable(blockMask);
    }

    public Optional<BlockTopK> blockTopK() {
        return Optional.ofNullable(blockTopK);
    }

    public Optional<TokenTopK> tokenTopK() {
        return Optional.ofNullable(tokenTopK);
    }

    public Normalizer normalizer() {
        return normalizer;
    }

    public boolean returnLse() {
        return returnLse;
    }

    public boolean returnProbabilities() {
        return returnProbabilities;
    }

    /** Type of O: as set, or the input type. LSE and probabilities are always fp32. */
    public DType outputDType() {
        return outputDType != null ? outputDType : q.dtype();
    }

    /** The caller's tensor for O, if one was given; otherwise the provider allocates it. */
    public Optional<Tensor> output() {
        return Optional.ofNullable(output);
    }

    /** The caller's tensor for LSE, if one was given. */
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
        return k.dim(1);
    }

    /** Query heads per key/value head: query head {@code h} reads key/value head {@code h / groupSize()}. */
    public int groupSize() {
        return queryHeads() / kvHeads();
    }

    public int queryLength() {
        return q.dim(2);
    }

    public int keyLength() {
        return k.dim(2);
    }

    public int headDim() {
        return q.dim(3);
    }

    public int valueDim() {
        return v.dim(3);
    }

    /** {@code Nk - Nq}: query {@code i} sits at aligned position {@code i + keyOffset()} (bottom-right alignment). */
    public int keyOffset() {
        return keyLength() - queryLength();
    }

    /** The masks this request uses. */
    public Set<MaskKind> maskKinds() {
        EnumSet<MaskKind> kinds = EnumSet.noneOf(MaskKind.class);
        if (causal) {
            kinds.add(MaskKind.CAUSAL);
        }
        if (window != null) {
            kinds.add(MaskKind.SLIDING_WINDOW);
            if (window.globalTokens() > 0) {
                kinds.add(MaskKind.GLOBAL_TOKENS);
            }
        }
        if (blockMask != null) {
            kinds.add(MaskKind.BLOCK_MASK);
        }
        if (blockTopK != null) {
            kinds.add(MaskKind.BLOCK_TOPK);
        }
        if (tokenTopK != null) {
            kinds.add(MaskKind.TOKEN_TOPK);
        }
        return kinds;
    }

    /** True when no mask applies: every query sees every key. */
    public boolean isDense() {
        return maskKinds().isEmpty();
    }

    /**
     * Throws an IllegalArgumentException naming any tensor of this request whose memory is gone: closed since the
     * request was built, and not held by a running call. A tensor closed while an {@link Attention} call holds it
     * passes: its memory lives until that call ends (see {@link Tensor#acquire()}).
     */
    public void checkTensorsOpen() {
        String[] names = tensorNames();
        Tensor[] ts = tensors();
        for (int t = 0; t < ts.length; t++) {
            if (ts[t] != null && ts[t].isFreed()) {
                throw new IllegalArgumentException(names[t] + ": tensor is closed");
            }
        }
    }

    /** The tensors a call reads or writes, for leases and checks; {@link #tensorNames()} names them. */
    Tensor[] tensors() {
        return new Tensor[] {q, k, v, output, lseOutput};
    }

    /** The fields of {@link #tensors()}, in order. */
    static String[] tensorNames() {
        return new String[] {"q", "k", "v", "output", "lseOutput"};
    }

    /** One line: shapes, type, masks and normalizer. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(q.dtype()).append(' ').append(q.device())
                .append(" B=").append(batch()).append(" Hq=").append(queryHeads()).append(" Hkv=").append(kvHeads())
                .append(" Nq=").append(queryLength()).append(" Nk=").append(keyLength())
                .append(" D=").append(headDim()).append(" Dv=").append(valueDim())
                .append(' ').append(normalizer);
        if (causal) {
            sb.append(" causal");
        }
        if (window != null) {
            sb.append(' ').append(window);
        }
        if (blockMask != null) {
            sb.append(' ').append(blockMask);
        }
        if (blockTopK != null) {
            sb.append(' ').append(blockTopK);
        }
        if (tokenTopK != null) {
            sb.append(' ').append(tokenTopK);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "AttentionRequest[" + describe() + "]";
    }

    /** Collects the settings of a request; {@link #build()} validates them. */
    public static final class Builder {
        private Tensor q;
        private Tensor k;
        private Tensor v;
        private Double scale;
        private boolean causal;
        private SlidingWindow window;
        private Integer pendingGlobalTokens;
        private BlockMask blockMask;
        private BlockTopK blockTopK;
        private TokenTopK tokenTopK;
        private Normalizer normalizer = Normalizer.SOFTMAX;
        private boolean returnLse;
        private boolean returnProbabilities;
        private DType outputDType;
        private Tensor output;
        private Tensor lseOutput;

        private Builder(Tensor q, Tensor k, Tensor v) {
            this.q = q;
            this.k = k;
            this.v = v;
        }

        /** Replaces the three inputs, keeping every other setting. */
        public Builder tensors(Tensor q, Tensor k, Tensor v) {
            this.q = q;
            this.k = k;
            this.v = v;
            return this;
        }

        /** Score scale; defaults to {@code 1 / sqrt(D)}. Must be finite. */
        public Builder scale(double scale) {
            this.scale = scale;
            return this;
        }

        public Builder causal() {
            return causal(true);
        }

        public Builder causal(boolean causal) {
            this.causal = causal;
            return this;
        }

        /**
         * Sliding window: query at aligned position {@code i'} sees keys {@code i' - left .. i' + right}.
         *
         * @throws IllegalArgumentException naming {@code window.left} or {@code window.right} when negative
         */
        public Builder window(int left, int right) {
            int g = window != null ? window.globalTokens() : 0;
            this.window = SlidingWindow.of(left, right, g);
            return this;
        }

        /** Sliding window with its global tokens; {@code null}: no window. */
        public Builder window(SlidingWindow window) {
            this.window = window;
            return this;
        }

        /** Global tokens of the sliding window (requires a window). */
        public Builder globalTokens(int g) {
            this.pendingGlobalTokens = g;
            return this;
        }

        /** Static block mask; {@code null}: none. Its shape is checked against the tensors by {@link #build()}. */
        public Builder blockMask(BlockMask mask) {
            this.blockMask = mask;
            return this;
        }

        /** Dynamic block top-k with tiles of {@code blockQ x blockK}. */
        public Builder topKBlocks(int k, int blockQ, int blockK) {
            this.blockTopK = BlockTopK.of(k, blockQ, blockK);
            return this;
        }

        /** Dynamic block top-k as a value; {@code null}: none. */
        public Builder topKBlocks(BlockTopK spec) {
            this.blockTopK = spec;
            return this;
        }

        /** Dynamic token top-k: each query keeps its {@code k} best allowed keys. */
        public Builder topKTokens(int k) {
            this.tokenTopK = TokenTopK.of(k);
            return this;
        }

        /** Dynamic token top-k as a value; {@code null}: none. */
        public Builder topKTokens(TokenTopK spec) {
            this.tokenTopK = spec;
            return this;
        }

        /** Softmax (the default), sparsemax or entmax-1.5. */
        public Builder normalizer(Normalizer normalizer) {
            this.normalizer = Arguments.notNull(normalizer, "normalizer", "softmax, sparsemax or entmax15");
            return this;
        }

        /** Also return the log-sum-exp {@code [B, Hq, Nq]} (fp32; softmax only). */
        public Builder returnLse(boolean returnLse) {
            this.returnLse = returnLse;
            return this;
        }

        /** Also return the attention probabilities {@code [B, Hq, Nq, Nk]} (fp32), for analysis. */
        public Builder returnProbabilities(boolean returnProbabilities) {
            this.returnProbabilities = returnProbabilities;
            return this;
        }

        /** Type of O; {@code null} (the default): the input type. */
        public Builder outputDType(DType dtype) {
            this.outputDType = dtype;
            return this;
        }

        /**
         * Write O into this tensor instead of allocating one ({@code null}: the provider allocates O). It must not
         * share memory with q, k or v: {@link #build()} refuses that.
         */
        public Builder output(Tensor output) {
            this.output = output;
            return this;
        }

        /**
         * Write LSE into this tensor instead of allocating one (implies {@link #returnLse(boolean) returnLse});
         * {@code null}: the provider allocates LSE when it is asked for. It must not share memory with another
         * tensor of the request.
         */
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
        public AttentionRequest build() {
            if (pendingGlobalTokens != null) {
                if (window == null) {
                    throw new IllegalArgumentException("globalTokens: only meaningful with a sliding window;"
                            + " set window(left, right) too");
                }
                window = window.withGlobalTokens(pendingGlobalTokens);
                pendingGlobalTokens = null;
            }
            checkTensor("q", q);
            checkTensor("k", k);
            checkTensor("v", v);
            int[] qs = q.shape();
            int[] ks = k.shape();
            int[] vs = v.shape();
            String[] names = {"batch", "heads", "length", "head dim"};
            for (int d = 0; d < 4; d++) {
                if (qs[d] < 1) {
                    throw new IllegalArgumentException("q.shape[" + d + "] (" + names[d] + "): expected >= 1, got "
                            + qs[d]);
                }
                if (ks[d] < 1) {
                    throw new IllegalArgumentException("k.shape[" + d + "] (" + names[d] + "): expected >= 1, got "
                            + ks[d]);
                }
                if (vs[d] < 1) {
                    throw new IllegalArgumentException("v.shape[" + d + "] (" + names[d] + "): expected >= 1, got "
                            + vs[d]);
                }
            }
            if (ks[0] != qs[0]) {
                throw new IllegalArgumentException("k.shape[0] (batch): expected " + qs[0] + " as in q, got " + ks[0]);
            }
            if (ks[3] != qs[3]) {
                throw new IllegalArgumentException("k.shape[3] (head dim): expected " + qs[3] + " as in q, got "
                        + ks[3]);
            }
            if (vs[0] != ks[0] || vs[1] != ks[1] || vs[2] != ks[2]) {
                throw new IllegalArgumentException("v.shape: expected [" + ks[0] + ", " + ks[1] + ", " + ks[2]
                        + ", Dv] to match k " + Arrays.toString(ks) + ", got " + Arrays.toString(vs));
            }
            if (qs[1] % ks[1] != 0) {
                throw new IllegalArgumentException("k.shape[1] (kv heads): expected a divisor of " + qs[1]
                        + " (query heads), got " + ks[1]);
            }
            if (k.dtype() != q.dtype()) {
                throw new IllegalArgumentException("k.dtype: expected " + q.dtype() + " as in q, got " + k.dtype());
            }
            if (v.dtype() != q.dtype()) {
                throw new IllegalArgumentException("v.dtype: expected " + q.dtype() + " as in q, got " + v.dtype());
            }
            if (!k.device().equals(q.device())) {
                throw new IllegalArgumentException("k.device: expected " + q.device() + " as in q, got "
                        + k.device());
            }
            if (!v.device().equals(q.device())) {
                throw new IllegalArgumentException("v.device: expected " + q.device() + " as in q, got "
                        + v.device());
            }
            if (scale != null && (scale.isNaN() || scale.isInfinite())) {
                throw new IllegalArgumentException("scale: expected a finite number, got " + scale);
            }
            if (blockMask != null) {
                blockMask.validateFor(qs[0], qs[1], qs[2], ks[2]);
            }
            if (returnProbabilities && q.device().isCpu()) {
                // Checked here, once, rather than by each provider: [B, Hq, Nq, Nk] grows fast from small inputs.
                double bytes = (double) DType.FP32.byteSize() * qs[0] * qs[1] * qs[2] * ks[2];
                if (bytes > HostStorage.MAX_BYTES) {
                    throw new IllegalArgumentException("returnProbabilities: the probabilities [" + qs[0] + ", "
                            + qs[1] + ", " + qs[2] + ", " + ks[2] + "] (fp32) need more than a host tensor holds ("
                            + HostStorage.MAX_BYTES + " bytes); ask for them with fewer heads or shorter sequences");
                }
            }
            if (returnLse && normalizer != Normalizer.SOFTMAX) {
                throw new IllegalArgumentException("returnLse: the log-sum-exp is defined for softmax only, not "
                        + normalizer);
            }
            if (output != null) {
                checkTensor("output", output);
                int[] expected = {qs[0], qs[1], qs[2], vs[3]};
                if (!Arrays.equals(output.shape(), expected)) {
                    throw new IllegalArgumentException("output.shape: expected " + Arrays.toString(expected)
                            + ", got " + Arrays.toString(output.shape()));
                }
                if (outputDType != null && output.dtype() != outputDType) {
                    throw new IllegalArgumentException("output.dtype: expected " + outputDType
                            + " (outputDType), got " + output.dtype());
                }
                if (outputDType == null) {
                    outputDType = output.dtype();
                }
                if (!output.device().equals(q.device())) {
                    throw new IllegalArgumentException("output.device: expected " + q.device() + ", got "
                            + output.device());
                }
            }
            if (lseOutput != null) {
                checkTensor("lseOutput", lseOutput);
                int[] expected = {qs[0], qs[1], qs[2]};
                if (!Arrays.equals(lseOutput.shape(), expected)) {
                    throw new IllegalArgumentException("lseOutput.shape: expected " + Arrays.toString(expected)
                            + ", got " + Arrays.toString(lseOutput.shape()));
                }
                if (lseOutput.dtype() != DType.FP32) {
                    throw new IllegalArgumentException("lseOutput.dtype: expected fp32, got " + lseOutput.dtype());
                }
                if (!lseOutput.device().equals(q.device())) {
                    throw new IllegalArgumentException("lseOutput.device: expected " + q.device() + ", got "
                            + lseOutput.device());
                }
            }
            refuseAliasing();
            return new AttentionRequest(this);
        }

        /**
         * A destination that shares memory with an input would be overwritten while the call (or a later backward
         * pass) still reads that input, and providers would disagree on the result: refuse it.
         */
        private void refuseAliasing() {
            String[] inputs = {"q", "k", "v"};
            Tensor[] in = {q, k, v};
            for (int i = 0; i < in.length; i++) {
                if (output != null && output.sharesMemoryWith(in[i])) {
                    throw new IllegalArgumentException("output: shares memory with " + inputs[i]
                            + "; O would overwrite an input it is computed from. Pass a separate tensor");
                }
                if (lseOutput != null && lseOutput.sharesMemoryWith(in[i])) {
                    throw new IllegalArgumentException("lseOutput: shares memory with " + inputs[i]
                            + "; LSE would overwrite an input it is computed from. Pass a separate tensor");
                }
            }
            if (output != null && lseOutput != null && output.sharesMemoryWith(lseOutput)) {
                throw new IllegalArgumentException("lseOutput: shares memory with output; pass a separate tensor");
            }
        }

        private static void checkTensor(String field, Tensor t) {
            if (t == null) {
                throw new IllegalArgumentException(field + ": expected a tensor, got null");
            }
            if (t.isClosed()) {
                throw new IllegalArgumentException(field + ": tensor is closed");
            }
            if (t.rank() != 4 && !field.equals("lseOutput")) {
                throw new IllegalArgumentException(field + ".shape: expected rank 4 [B, H, N, D], got "
                        + Arrays.toString(t.shape()));
            }
        }
    }
}
