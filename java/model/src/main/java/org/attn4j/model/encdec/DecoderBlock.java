package org.attn4j.model.encdec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.attn4j.model.nn.LayerNorm;
import org.attn4j.model.nn.Parameter;

/**
 * One pre-LayerNorm decoder block: {@code x + self(ln_1(x))} with causal self-attention, {@code x + cross(ln_2(x), m)}
 * over the encoder's output {@code m}, {@code x + mlp(ln_3(x))}, then the CoT module's feature mask {@code M_t} on the
 * resulting reasoning state (when the model has one). Dropout on the three residual branches.
 */
final class DecoderBlock implements AutoCloseable {
    final LayerNorm ln1;
    final SelfAttention selfAttention;
    final LayerNorm ln2;
    final CrossAttention crossAttention;
    final LayerNorm ln3;
    final Mlp mlp;
    private final int dModel;
    private final int keptFeatures;
    // Saved by forward for backward.
    private float[] in;
    private float[] ln1Out = new float[0];
    private float[] ln1Stats = new float[0];
    private float[] selfOut = new float[0];
    private float[] selfMask = new float[0];
    private float[] h1 = new float[0];
    private float[] ln2Out = new float[0];
    private float[] ln2Stats = new float[0];
    private float[] crossOut = new float[0];
    private float[] crossMask = new float[0];
    private float[] h2 = new float[0];
    private float[] ln3Out = new float[0];
    private float[] ln3Stats = new float[0];
    private float[] mlpOut = new float[0];
    private float[] mlpMask = new float[0];
    private float[] out = new float[0];
    private float[] featureMask = new float[0];
    private boolean selfDropped;
    private boolean crossDropped;
    private boolean mlpDropped;
    private int rows;

    DecoderBlock(String prefix, EncDecConfig c, AttentionSpec self, AttentionSpec cross, long salt) {
        int d = c.dModel();
        this.ln1 = new LayerNorm(prefix + ".ln_1", d, 1e-5f);
        this.selfAttention = new SelfAttention(prefix + ".attn", AttentionKind.DECODER, self, d, c.heads(), salt);
        this.ln2 = new LayerNorm(prefix + ".ln_cross", d, 1e-5f);
        this.crossAttention = new CrossAttention(prefix + ".cross_attn", cross, d, c.heads(), salt + 1);
        this.ln3 = new LayerNorm(prefix + ".ln_2", d, 1e-5f);
        this.mlp = new Mlp(prefix + ".mlp", d, c.mlpHidden());
        this.dModel = d;
        this.keptFeatures = c.featureMask() > 0 ? c.keptFeatures() : d;
    }

    List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(ln1.parameters());
        ps.addAll(selfAttention.parameters());
        ps.addAll(ln2.parameters());
        ps.addAll(crossAttention.parameters());
        ps.addAll(ln3.parameters());
        ps.addAll(mlp.parameters());
        return ps;
    }

    void init(SplittableRandom r, double std, double projStd) {
        ln1.reset();
        selfAttention.init(r, std, projStd);
        ln2.reset();
        crossAttention.init(r, std, projStd);
        ln3.reset();
        mlp.init(r, std, projStd);
    }

    /** The output of the last forward pass (after the feature mask). */
    float[] lastOutput() {
        return out;
    }

    /** Whether the feature mask is on (keeps fewer features than the width). */
    boolean masksFeatures() {
        return keptFeatures < dModel;
    }

    int keptFeatures() {
        return keptFeatures;
    }

    /** Returns the block's output {@code [B*T, D]} (valid until the next forward). */
    float[] forward(float[] in, float[] memory, int batch, int length, int memoryLength, Pass pass) {
        rows = batch * length;
        int n = rows * dModel;
        this.in = in;
        ln1Out = Buffers.fit(ln1Out, n);
        ln1Stats = Buffers.fit(ln1Stats, 2 * rows);
        selfOut = Buffers.fit(selfOut, n);
        selfMask = Buffers.fit(selfMask, n);
        h1 = Buffers.fit(h1, n);
        ln2Out = Buffers.fit(ln2Out, n);
        ln2Stats = Buffers.fit(ln2Stats, 2 * rows);
        crossOut = Buffers.fit(crossOut, n);
        crossMask = Buffers.fit(crossMask, n);
        h2 = Buffers.fit(h2, n);
        ln3Out = Buffers.fit(ln3Out, n);
        ln3Stats = Buffers.fit(ln3Stats, 2 * rows);
        mlpOut = Buffers.fit(mlpOut, n);
        mlpMask = Buffers.fit(mlpMask, n);
        out = Buffers.fit(out, n);
        featureMask = Buffers.fit(featureMask, n);

        ln1.forward(in, rows, ln1Out, ln1Stats, pass.par);
        selfAttention.forward(ln1Out, batch, length, selfOut, pass);
        selfDropped = pass.dropout(selfOut, selfMask, n);
        for (int i = 0; i < n; i++) {
            h1[i] = in[i] + selfOut[i];
        }
        ln2.forward(h1, rows, ln2Out, ln2Stats, pass.par);
        crossAttention.forward(ln2Out, memory, batch, length, memoryLength, crossOut, pass);
        crossDropped = pass.dropout(crossOut, crossMask, n);
        for (int i = 0; i < n; i++) {
            h2[i] = h1[i] + crossOut[i];
        }
        ln3.forward(h2, rows, ln3Out, ln3Stats, pass.par);
        mlp.forward(ln3Out, rows, mlpOut, pass);
        mlpDropped = pass.dropout(mlpOut, mlpMask, n);
        for (int i = 0; i < n; i++) {
            out[i] = h2[i] + mlpOut[i];
        }
        if (masksFeatures()) {
            FeatureMask.apply(out, rows, dModel, keptFeatures, featureMask);
        }
        return out;
    }

    /**
     * Given {@code dOut}, accumulates the weight gradients, adds the gradient with respect to the encoder's output to
     * {@code dMemory}, and returns the gradient of the block's input.
     */
    float[] backward(float[] dOut, float[] dMemory, Pass pass) {
        int n = rows * dModel;
        float[] g = dOut.clone();
        if (masksFeatures()) {
            Residual.mask(g, featureMask, n);
        }
        // MLP branch
        float[] branch = g.clone();
        if (mlpDropped) {
            Residual.mask(branch, mlpMask, n);
        }
        float[] dLn = new float[n];
        mlp.backward(branch, dLn, pass);
        float[] dx = new float[n];
        ln3.backward(h2, ln3Stats, dLn, rows, dx, pass.par);
        Residual.add(g, dx, n);
        // cross-attention branch
        branch = g.clone();
        if (crossDropped) {
            Residual.mask(branch, crossMask, n);
        }
        crossAttention.backward(branch, dLn, dMemory, pass);
        ln2.backward(h1, ln2Stats, dLn, rows, dx, pass.par);
        Residual.add(g, dx, n);
        // self-attention branch
        branch = g.clone();
        if (selfDropped) {
            Residual.mask(branch, selfMask, n);
        }
        selfAttention.backward(branch, dLn, pass);
        ln1.backward(in, ln1Stats, dLn, rows, dx, pass.par);
        Residual.add(g, dx, n);
        return g;
    }

    @Override
    public void close() {
        selfAttention.close();
        crossAttention.close();
    }
}
