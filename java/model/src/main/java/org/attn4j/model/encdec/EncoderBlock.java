package org.attn4j.model.encdec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.attn4j.model.nn.LayerNorm;
import org.attn4j.model.nn.Parameter;

/**
 * One pre-LayerNorm encoder block: {@code x + attn(ln_1(x))} with self-attention that is not causal, then
 * {@code x + mlp(ln_2(x))}; dropout on both residual branches.
 */
final class EncoderBlock implements AutoCloseable {
    final LayerNorm ln1;
    final SelfAttention attention;
    final LayerNorm ln2;
    final Mlp mlp;
    private final int dModel;
    // Saved by forward for backward.
    private float[] in;
    private float[] ln1Out = new float[0];
    private float[] ln1Stats = new float[0];
    private float[] attnOut = new float[0];
    private float[] attnMask = new float[0];
    private float[] mid = new float[0];
    private float[] ln2Out = new float[0];
    private float[] ln2Stats = new float[0];
    private float[] mlpOut = new float[0];
    private float[] mlpMask = new float[0];
    private float[] out = new float[0];
    private boolean attnDropped;
    private boolean mlpDropped;
    private int rows;

    EncoderBlock(String prefix, EncDecConfig c, AttentionSpec spec, long salt) {
        this.ln1 = new LayerNorm(prefix + ".ln_1", c.dModel(), 1e-5f);
        this.attention = new SelfAttention(prefix + ".attn", AttentionKind.ENCODER, spec, c.dModel(), c.heads(), salt);
        this.ln2 = new LayerNorm(prefix + ".ln_2", c.dModel(), 1e-5f);
        this.mlp = new Mlp(prefix + ".mlp", c.dModel(), c.mlpHidden());
        this.dModel = c.dModel();
    }

    List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(ln1.parameters());
        ps.addAll(attention.parameters());
        ps.addAll(ln2.parameters());
        ps.addAll(mlp.parameters());
        return ps;
    }

    void init(SplittableRandom r, double std, double projStd) {
        ln1.reset();
        attention.init(r, std, projStd);
        ln2.reset();
        mlp.init(r, std, projStd);
    }

    /** Returns the block's output {@code [B*N, D]} (valid until the next forward). */
    float[] forward(float[] in, int batch, int length, Pass pass) {
        rows = batch * length;
        int n = rows * dModel;
        this.in = in;
        ln1Out = Buffers.fit(ln1Out, n);
        ln1Stats = Buffers.fit(ln1Stats, 2 * rows);
        attnOut = Buffers.fit(attnOut, n);
        attnMask = Buffers.fit(attnMask, n);
        mid = Buffers.fit(mid, n);
        ln2Out = Buffers.fit(ln2Out, n);
        ln2Stats = Buffers.fit(ln2Stats, 2 * rows);
        mlpOut = Buffers.fit(mlpOut, n);
        mlpMask = Buffers.fit(mlpMask, n);
        out = Buffers.fit(out, n);
        ln1.forward(in, rows, ln1Out, ln1Stats, pass.par);
        attention.forward(ln1Out, batch, length, attnOut, pass);
        attnDropped = pass.dropout(attnOut, attnMask, n);
        for (int i = 0; i < n; i++) {
            mid[i] = in[i] + attnOut[i];
        }
        ln2.forward(mid, rows, ln2Out, ln2Stats, pass.par);
        mlp.forward(ln2Out, rows, mlpOut, pass);
        mlpDropped = pass.dropout(mlpOut, mlpMask, n);
        for (int i = 0; i < n; i++) {
            out[i] = mid[i] + mlpOut[i];
        }
        return out;
    }

    /** Given {@code dOut}, accumulates the weight gradients and returns the gradient of the block's input. */
    float[] backward(float[] dOut, Pass pass) {
        int n = rows * dModel;
        float[] g = dOut.clone();
        float[] branch = g.clone();
        if (mlpDropped) {
            Residual.mask(branch, mlpMask, n);
        }
        float[] dLn2 = new float[n];
        mlp.backward(branch, dLn2, pass);
        float[] dMid = new float[n];
        ln2.backward(mid, ln2Stats, dLn2, rows, dMid, pass.par);
        Residual.add(g, dMid, n);
        branch = g.clone();
        if (attnDropped) {
            Residual.mask(branch, attnMask, n);
        }
        float[] dLn1 = new float[n];
        attention.backward(branch, dLn1, pass);
        float[] dIn = new float[n];
        ln1.backward(in, ln1Stats, dLn1, rows, dIn, pass.par);
        Residual.add(g, dIn, n);
        return g;
    }

    @Override
    public void close() {
        attention.close();
    }
}
