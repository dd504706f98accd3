package org.attn4j.model.gpt;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.Attention;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.model.nn.ArrayLength;
import org.attn4j.model.nn.Bf16;
import org.attn4j.model.nn.Linear;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;

/**
 * GPT-2's attention block: {@code c_attn} projects each row to q, k and v, the heads go to an attention provider
 * through {@link Attention#forward} (causal plus this layer's {@link LayerAttention}), and {@code c_proj} mixes the
 * heads back. The backward pass of the attention itself comes from the provider ({@link Attention#backward}).
 *
 * <p>The tensors handed to the provider are allocated once per batch shape and reused ({@link State}), so a call
 * costs two bulk copies on top of the attention. A training pass with attention dropout takes the probabilities
 * from the provider and applies the dropped weights here ({@link AttentionDropout}).
 */
public final class MultiHeadAttention {
    private final int dModel;
    private final int heads;
    private final int headDim;
    private final Linear qkv;
    private final Linear proj;
    private final LayerAttention spec;

    MultiHeadAttention(String prefix, int dModel, int heads, LayerAttention spec) {
        this.dModel = dModel;
        this.heads = heads;
        this.headDim = dModel / heads;
        this.qkv = new Linear(prefix + ".c_attn", dModel, 3 * dModel, true);
        this.proj = new Linear(prefix + ".c_proj", dModel, dModel, true);
        this.spec = spec;
    }

    public Linear qkv() {
        return qkv;
    }

    public Linear proj() {
        return proj;
    }

    public LayerAttention spec() {
        return spec;
    }

    public int heads() {
        return heads;
    }

    public int headDim() {
        return headDim;
    }

    List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(qkv.parameters());
        ps.addAll(proj.parameters());
        return ps;
    }

    /** The provider-side tensors and the last forward call of one layer, for one batch shape. */
    static final class State implements AutoCloseable {
        final int batch;
        final int length;
        final Tensor q;
        final Tensor k;
        final Tensor v;
        final Tensor o;
        final Tensor dO;
        final float[] heads;
        final float[] dqkv;
        AttentionRequest request;
        AttentionResult result;
        float[] probabilities;
        long allowedPairs;
        String provider;
        /** Attention dropout: the mask, P, P * mask and Q/K/V by head, kept for the backward pass. */
        float[] dropMask;
        float[] trainProbs;
        float[] dropped;
        float[] qh;
        float[] kh;
        float[] vh;
        float[] dqh;
        float[] dkh;
        float[] dvh;
        boolean dropoutPass;
        double scale;

        State(int batch, int heads, int length, int headDim) {
            this.batch = batch;
            this.length = length;
            int[] shape = {batch, heads, length, headDim};
            this.q = Tensor.allocate(DType.FP32, shape);
            this.k = Tensor.allocate(DType.FP32, shape);
            this.v = Tensor.allocate(DType.FP32, shape);
            this.o = Tensor.allocate(DType.FP32, shape);
            this.dO = Tensor.allocate(DType.FP32, shape);
            this.heads = new float[batch * heads * length * headDim];
            this.dqkv = new float[batch * length * 3 * heads * headDim];
        }

        /** The attention-dropout mask {@code [B, H, T, T]} to draw into before a forward pass that drops weights. */
        float[] dropoutMask() {
            if (dropMask == null) {
                int n = ArrayLength.of((long) q.shape()[0] * q.shape()[1] * length * length, "attentionDropout",
                        "its mask [B, H, T, T] = [" + q.shape()[0] + ", " + q.shape()[1] + ", " + length + ", "
                                + length + "]", "use a smaller batch or no attention dropout");
                int m = q.shape()[0] * q.shape()[1] * length * q.shape()[3];
                dropMask = new float[n];
                trainProbs = new float[n];
                dropped = new float[n];
                qh = new float[m];
                kh = new float[m];
                vh = new float[m];
                dqh = new float[m];
                dkh = new float[m];
                dvh = new float[m];
            }
            return dropMask;
        }

        void releaseResult() {
            if (result != null) {
                result.close();
                result = null;
            }
        }

        @Override
        public void close() {
            releaseResult();
            q.close();
            k.close();
            v.close();
            o.close();
            dO.close();
        }
    }

    State newState(int batch, int length) {
        return new State(batch, heads, length, headDim);
    }

    /**
     * Forward over {@code x [B*T, D]} (the layer-normed input): writes {@code qkvOut [B*T, 3D]}, the merged heads
     * {@code merged [B*T, D]} and the block output {@code out [B*T, D]}.
     *
     * @param keepForBackward keep the provider's result (and request the LSE) for {@link #backward}
     * @param capture         also fetch the attention probabilities {@code [B, H, T, T]} into the state
     * @param dropAttention   apply the mask drawn into {@link State#dropoutMask()} to the attention weights
     *                        (training only)
     * @param bf16            round the projections and the attention output to bf16
     */
    void forward(float[] x, float[] qkvOut, float[] merged, float[] out, State st, boolean keepForBackward,
                 boolean capture, boolean dropAttention, boolean bf16, Parallel par) {
        int rows = st.batch * st.length;
        qkv.forward(x, rows, qkvOut, par);
        if (bf16) {
            Bf16.round(qkvOut, rows * 3 * dModel);
        }
        for (int part = 0; part < 3; part++) {
            splitHeads(qkvOut, 3 * dModel, part * dModel, st.heads, st.batch, st.length);
            (part == 0 ? st.q : part == 1 ? st.k : st.v).copyFrom(st.heads);
            if (dropAttention) {
                System.arraycopy(st.heads, 0, part == 0 ? st.qh : part == 1 ? st.kh : st.vh, 0, st.heads.length);
            }
        }
        st.releaseResult();
        st.dropoutPass = dropAttention;
        AttentionRequest.Builder b = spec.applyTo(AttentionRequest.builder(st.q, st.k, st.v)).output(st.o)
                .returnProbabilities(capture || dropAttention)
                .returnLse(keepForBackward && !dropAttention && spec.normalizer() == Normalizer.SOFTMAX);
        st.request = b.build();
        st.scale = st.request.scale();
        AttentionResult result = Attention.forward(st.request);
        try {
            st.allowedPairs = result.allowedPairs().orElse(-1);
            st.provider = result.provider();
            Tensor probs = capture || dropAttention ? result.probabilities()
                    .orElseThrow(() -> new IllegalStateException("provider '" + result.provider()
                            + "' returned no probabilities although they were requested")) : null;
            st.probabilities = capture ? probs.toFloatArray() : null;
            if (dropAttention) {
                probs.copyTo(st.trainProbs, 0, 0, st.trainProbs.length);
                AttentionDropout.forward(st.trainProbs, st.dropMask, st.vh, st.dropped, st.heads,
                        st.batch * heads, st.length, headDim, bf16, par);
            } else {
                st.o.copyTo(st.heads, 0, 0, st.heads.length);
            }
        } catch (RuntimeException e) {
            result.close(); // its off-heap tensors would otherwise wait for the garbage collector
            throw e;
        }
        mergeHeads(st.heads, merged, dModel, 0, st.batch, st.length);
        if (bf16) {
            Bf16.round(merged, rows * dModel);
        }
        if (keepForBackward && !dropAttention) {
            st.result = result;
        } else {
            result.close();
        }
        proj.forward(merged, rows, out, par);
        if (bf16) {
            Bf16.round(out, rows * dModel);
        }
    }

    /**
     * Backward of {@link #forward}: given {@code dOut [B*T, D]}, accumulates the weight gradients and writes
     * {@code dx [B*T, D]}. {@code dMerged} is scratch of {@code [B*T, D]}.
     *
     * @param keepForward keep the provider's forward result for another backward pass of the same forward
     */
    void backward(float[] x, float[] merged, float[] dOut, float[] dMerged, float[] dx, State st, boolean keepForward,
                  boolean bf16, Parallel par) {
        if (st.result == null && !st.dropoutPass) {
            throw new IllegalStateException("backward without a forward pass kept for it");
        }
        int rows = st.batch * st.length;
        proj.backward(merged, dOut, rows, dMerged, par);
        if (bf16) {
            Bf16.round(dMerged, rows * dModel);
        }
        splitHeads(dMerged, dModel, 0, st.heads, st.batch, st.length);
        if (st.dropoutPass) {
            AttentionDropout.backward(st.trainProbs, st.dropMask, st.dropped, st.qh, st.kh, st.vh, st.heads,
                    (float) st.scale, st.dqh, st.dkh, st.dvh, st.batch * heads, st.length, headDim, par);
            st.dropoutPass = keepForward;
            float[][] grads = {st.dqh, st.dkh, st.dvh};
            for (int part = 0; part < 3; part++) {
                mergeHeads(grads[part], st.dqkv, 3 * dModel, part * dModel, st.batch, st.length);
            }
        } else {
            st.dO.copyFrom(st.heads);
            try (AttentionGradients g = Attention.backward(st.request, st.result, st.dO)) {
                Tensor[] grads = {g.dq(), g.dk(), g.dv()};
                for (int part = 0; part < 3; part++) {
                    grads[part].copyTo(st.heads, 0, 0, st.heads.length);
                    mergeHeads(st.heads, st.dqkv, 3 * dModel, part * dModel, st.batch, st.length);
                }
            } finally {
                if (!keepForward) {
                    st.releaseResult();
                }
            }
        }
        if (bf16) {
            Bf16.round(st.dqkv, rows * 3 * dModel);
        }
        qkv.backward(x, st.dqkv, rows, dx, par);
    }

    /** Copies columns {@code [offset, offset + D)} of {@code src [B*T, stride]} into {@code dst [B, H, T, Dh]}. */
    void splitHeads(float[] src, int stride, int offset, float[] dst, int batch, int length) {
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                int s = (b * length + t) * stride + offset;
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(src, s + h * headDim, dst, ((b * heads + h) * length + t) * headDim, headDim);
                }
            }
        }
    }

    /** Inverse of {@link #splitHeads}: {@code src [B, H, T, Dh]} into columns {@code [offset, offset + D)}. */
    void mergeHeads(float[] src, float[] dst, int stride, int offset, int batch, int length) {
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                int d = (b * length + t) * stride + offset;
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(src, ((b * heads + h) * length + t) * headDim, dst, d + h * headDim, headDim);
                }
            }
        }
    }
}
