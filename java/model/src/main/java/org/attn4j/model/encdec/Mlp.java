package org.attn4j.model.encdec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.attn4j.model.nn.Gelu;
import org.attn4j.model.nn.Linear;
import org.attn4j.model.nn.Parameter;

/** GPT-2's MLP, {@code c_proj(gelu(c_fc(x)))}, keeping its activations for the backward pass. */
final class Mlp {
    final Linear fc;
    final Linear proj;
    private final int hidden;
    private float[] x;
    private float[] pre = new float[0];
    private float[] act = new float[0];
    private float[] slope = new float[0];
    private int rows;

    Mlp(String prefix, int dModel, int hidden) {
        this.fc = new Linear(prefix + ".c_fc", dModel, hidden, true);
        this.proj = new Linear(prefix + ".c_proj", hidden, dModel, true);
        this.hidden = hidden;
    }

    List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(fc.parameters());
        ps.addAll(proj.parameters());
        return ps;
    }

    void init(SplittableRandom r, double std, double projStd) {
        fc.init(r, std);
        proj.init(r, projStd);
    }

    void forward(float[] x, int rows, float[] out, Pass pass) {
        this.x = x;
        this.rows = rows;
        pre = Buffers.fit(pre, rows * hidden);
        act = Buffers.fit(act, rows * hidden);
        slope = Buffers.fit(slope, rows * hidden);
        fc.forward(x, rows, pre, pass.par);
        Gelu.forward(pre, act, pass.keepForBackward ? slope : null, rows * hidden, pass.par);
        proj.forward(act, rows, out, pass.par);
    }

    void backward(float[] dOut, float[] dx, Pass pass) {
        float[] h = new float[rows * hidden];
        proj.backward(act, dOut, rows, h, pass.par);
        Gelu.backwardFromSlope(slope, h, h, rows * hidden, pass.par);
        fc.backward(x, h, rows, dx, pass.par);
    }
}
