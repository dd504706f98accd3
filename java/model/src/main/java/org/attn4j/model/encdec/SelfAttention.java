package org.attn4j.model.encdec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.attn4j.model.nn.Linear;
import org.attn4j.model.nn.Parameter;

/**
 * Multi-head self-attention through the providers: {@code c_attn} projects each row to q, k and v, the provider
 * attends (not causal in the encoder, causal in the decoder, plus the layer's {@link Sparsity} as {@link MaskPlanner}
 * realises it for this kind), {@code c_proj} mixes the heads. The attention's own gradient comes from the provider's
 * backward pass.
 */
final class SelfAttention implements AutoCloseable {
    final Linear qkv;
    final Linear proj;
    final AttentionKind kind;
    final AttentionSpec spec;
    private final int dModel;
    private final int heads;
    private final int headDim;
    private final long salt;
    private final ProviderAttention provider = new ProviderAttention();
    // Saved by forward for backward.
    private float[] x;
    private float[] qkvOut = new float[0];
    private float[] qh = new float[0];
    private float[] kh = new float[0];
    private float[] vh = new float[0];
    private float[] oh = new float[0];
    private float[] merged = new float[0];
    private int batch;
    private int length;

    SelfAttention(String prefix, AttentionKind kind, AttentionSpec spec, int dModel, int heads, long salt) {
        this.qkv = new Linear(prefix + ".c_attn", dModel, 3 * dModel, true);
        this.proj = new Linear(prefix + ".c_proj", dModel, dModel, true);
        this.kind = kind;
        this.spec = spec;
        this.dModel = dModel;
        this.heads = heads;
        this.headDim = dModel / heads;
        this.salt = salt;
    }

    List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(qkv.parameters());
        ps.addAll(proj.parameters());
        return ps;
    }

    void init(SplittableRandom r, double std, double projStd) {
        qkv.init(r, std);
        proj.init(r, projStd);
    }

    /** Probabilities {@code [B, H, N, N]} of the last forward pass run with {@link Pass#capture}. */
    float[] probabilities() {
        return provider.probabilities;
    }

    /** {@code out [B*N, D]} from the layer-normed {@code x [B*N, D]}. */
    void forward(float[] x, int batch, int length, float[] out, Pass pass) {
        int rows = batch * length;
        this.x = x;
        this.batch = batch;
        this.length = length;
        qkvOut = Buffers.fit(qkvOut, rows * 3 * dModel);
        qh = Buffers.fit(qh, rows * dModel);
        kh = Buffers.fit(kh, rows * dModel);
        vh = Buffers.fit(vh, rows * dModel);
        oh = Buffers.fit(oh, rows * dModel);
        merged = Buffers.fit(merged, rows * dModel);
        qkv.forward(x, rows, qkvOut, pass.par);
        Heads.split(qkvOut, 3 * dModel, 0, qh, batch, length, heads, headDim);
        Heads.split(qkvOut, 3 * dModel, dModel, kh, batch, length, heads, headDim);
        Heads.split(qkvOut, 3 * dModel, 2 * dModel, vh, batch, length, heads, headDim);
        attend(qh, kh, vh, new CallShape(batch, heads, length, length, headDim, 0, pass.decoderLength), pass, oh);
        Heads.merge(oh, merged, dModel, 0, batch, length, heads, headDim);
        proj.forward(merged, rows, out, pass.par);
    }

    /**
     * The provider's attention of heads {@code q, k, v} with this layer's masks for the call's place in the problem;
     * counts the attended pairs.
     */
    void attend(float[] q, float[] k, float[] v, CallShape c, Pass pass, float[] out) {
        Sparsity s = pass.sparsity(kind, spec);
        provider.forward(q, k, v, c.batch(), c.heads(), c.queryLength(), c.keyLength(), c.headDim(),
                spec.normalizer(), b -> MaskPlanner.apply(b, kind, s, c, q, k, salt), pass.keepForBackward,
                pass.capture, out);
        if (pass.pairs != null) {
            pass.pairs.add(kind, provider.allowedPairs, c.densePairs(kind));
        }
    }

    /** Backward of {@link #forward}: accumulates the weight gradients, writes {@code dx [B*N, D]}. */
    void backward(float[] dOut, float[] dx, Pass pass) {
        int rows = batch * length;
        float[] dMerged = new float[rows * dModel];
        proj.backward(merged, dOut, rows, dMerged, pass.par);
        float[] dO = new float[rows * dModel];
        Heads.split(dMerged, dModel, 0, dO, batch, length, heads, headDim);
        float[] dq = new float[rows * dModel];
        float[] dk = new float[rows * dModel];
        float[] dv = new float[rows * dModel];
        provider.backward(dO, dq, dk, dv);
        float[] dQkv = new float[rows * 3 * dModel];
        Heads.merge(dq, dQkv, 3 * dModel, 0, batch, length, heads, headDim);
        Heads.merge(dk, dQkv, 3 * dModel, dModel, batch, length, heads, headDim);
        Heads.merge(dv, dQkv, 3 * dModel, 2 * dModel, batch, length, heads, headDim);
        qkv.backward(x, dQkv, rows, dx, pass.par);
    }

    String provider() {
        return provider.provider;
    }

    @Override
    public void close() {
        provider.close();
    }
}
