package org.attn4j.model.encdec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.attn4j.model.nn.Linear;
import org.attn4j.model.nn.Parameter;

/**
 * Multi-head cross-attention through the providers: queries from the decoder ({@code q_proj}), keys and values from
 * the encoder's output ({@code kv_proj}), {@code Nq} decoder rows over {@code Nk} encoder positions with no causal
 * mask, the layer's {@link Sparsity} as {@link MaskPlanner} realises it for cross-attention, then {@code c_proj}. The
 * backward pass sends gradients both ways: to the decoder rows and to the encoder's output (accumulated, since every
 * decoder block reads it). At generation the encoder's keys and values are projected once ({@link #project}) and
 * every step attends to them: the cross-attention KV cache.
 */
final class CrossAttention implements AutoCloseable {
    final Linear q;
    final Linear kv;
    final Linear proj;
    final AttentionSpec spec;
    private final int dModel;
    private final int heads;
    private final int headDim;
    private final long salt;
    private final ProviderAttention provider = new ProviderAttention();
    // Saved by forward for backward.
    private float[] x;
    private float[] memory;
    private float[] qOut = new float[0];
    private float[] kvOut = new float[0];
    private float[] qh = new float[0];
    private float[] kh = new float[0];
    private float[] vh = new float[0];
    private float[] oh = new float[0];
    private float[] merged = new float[0];
    private int batch;
    private int length;
    private int memoryLength;

    CrossAttention(String prefix, AttentionSpec spec, int dModel, int heads, long salt) {
        this.q = new Linear(prefix + ".q_proj", dModel, dModel, true);
        this.kv = new Linear(prefix + ".kv_proj", dModel, 2 * dModel, true);
        this.proj = new Linear(prefix + ".c_proj", dModel, dModel, true);
        this.spec = spec;
        this.dModel = dModel;
        this.heads = heads;
        this.headDim = dModel / heads;
        this.salt = salt;
    }

    List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(q.parameters());
        ps.addAll(kv.parameters());
        ps.addAll(proj.parameters());
        return ps;
    }

    void init(SplittableRandom r, double std, double projStd) {
        q.init(r, std);
        kv.init(r, std);
        proj.init(r, projStd);
    }

    float[] probabilities() {
        return provider.probabilities;
    }

    /** {@code out [B*T, D]} from the layer-normed decoder rows {@code x [B*T, D]} and {@code memory [B*N, D]}. */
    void forward(float[] x, float[] memory, int batch, int length, int memoryLength, float[] out, Pass pass) {
        int rows = batch * length;
        this.x = x;
        this.memory = memory;
        this.batch = batch;
        this.length = length;
        this.memoryLength = memoryLength;
        qOut = Buffers.fit(qOut, rows * dModel);
        qh = Buffers.fit(qh, rows * dModel);
        oh = Buffers.fit(oh, rows * dModel);
        merged = Buffers.fit(merged, rows * dModel);
        q.forward(x, rows, qOut, pass.par);
        Heads.split(qOut, dModel, 0, qh, batch, length, heads, headDim);
        float[][] keysValues = project(memory, batch, memoryLength, pass);
        kh = keysValues[0];
        vh = keysValues[1];
        attend(qh, kh, vh, new CallShape(batch, heads, length, memoryLength, headDim, 0, pass.decoderLength), pass,
                oh);
        Heads.merge(oh, merged, dModel, 0, batch, length, heads, headDim);
        proj.forward(merged, rows, out, pass.par);
    }

    /** The encoder output's keys and values in head layout, {@code {k, v}}, each {@code [B, H, N, Dh]}. */
    float[][] project(float[] memory, int batch, int memoryLength, Pass pass) {
        int rows = batch * memoryLength;
        kvOut = Buffers.fit(kvOut, rows * 2 * dModel);
        kv.forward(memory, rows, kvOut, pass.par);
        float[] k = new float[rows * dModel];
        float[] v = new float[rows * dModel];
        Heads.split(kvOut, 2 * dModel, 0, k, batch, memoryLength, heads, headDim);
        Heads.split(kvOut, 2 * dModel, dModel, v, batch, memoryLength, heads, headDim);
        return new float[][] {k, v};
    }

    /** The provider's cross-attention of decoder queries over encoder keys; counts the attended pairs. */
    void attend(float[] qHeads, float[] k, float[] v, CallShape c, Pass pass, float[] out) {
        Sparsity s = pass.sparsity(AttentionKind.CROSS, spec);
        provider.forward(qHeads, k, v, c.batch(), c.heads(), c.queryLength(), c.keyLength(), c.headDim(),
                spec.normalizer(), b -> MaskPlanner.apply(b, AttentionKind.CROSS, s, c, qHeads, k, salt),
                pass.keepForBackward, pass.capture, out);
        if (pass.pairs != null) {
            pass.pairs.add(AttentionKind.CROSS, provider.allowedPairs, c.densePairs(AttentionKind.CROSS));
        }
    }

    /**
     * Backward of {@link #forward}: accumulates the weight gradients, writes {@code dx [B*T, D]} and adds the
     * gradient with respect to the encoder's output to {@code dMemory [B*N, D]}.
     */
    void backward(float[] dOut, float[] dx, float[] dMemory, Pass pass) {
        int rows = batch * length;
        int memoryRows = batch * memoryLength;
        float[] dMerged = new float[rows * dModel];
        proj.backward(merged, dOut, rows, dMerged, pass.par);
        float[] dO = new float[rows * dModel];
        Heads.split(dMerged, dModel, 0, dO, batch, length, heads, headDim);
        float[] dq = new float[rows * dModel];
        float[] dk = new float[memoryRows * dModel];
        float[] dv = new float[memoryRows * dModel];
        provider.backward(dO, dq, dk, dv);
        float[] dQ = new float[rows * dModel];
        Heads.merge(dq, dQ, dModel, 0, batch, length, heads, headDim);
        q.backward(x, dQ, rows, dx, pass.par);
        float[] dKv = new float[memoryRows * 2 * dModel];
        Heads.merge(dk, dKv, 2 * dModel, 0, batch, memoryLength, heads, headDim);
        Heads.merge(dv, dKv, 2 * dModel, dModel, batch, memoryLength, heads, headDim);
        float[] dm = new float[memoryRows * dModel];
        kv.backward(memory, dKv, memoryRows, dm, pass.par);
        for (int i = 0; i < dm.length; i++) {
            dMemory[i] += dm[i];
        }
    }

    String provider() {
        return provider.provider;
    }

    @Override
    public void close() {
        provider.close();
    }
}
