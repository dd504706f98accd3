package org.attn4j.model.gpt;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.model.nn.LayerNorm;
import org.attn4j.model.nn.Linear;
import org.attn4j.model.nn.Parameter;

/**
 * One pre-LayerNorm decoder block of GPT-2: {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))} with
 * {@code mlp = c_proj(gelu(c_fc(.)))}. The arithmetic lives in {@link GptModel}, which owns the activations.
 */
public final class Block {
    private final LayerNorm ln1;
    private final MultiHeadAttention attention;
    private final LayerNorm ln2;
    private final Linear fc;
    private final Linear fcProj;

    Block(String prefix, GptConfig c, LayerAttention spec) {
        this.ln1 = new LayerNorm(prefix + ".ln_1", c.dModel(), c.layerNormEps());
        this.attention = new MultiHeadAttention(prefix + ".attn", c.dModel(), c.heads(), spec);
        this.ln2 = new LayerNorm(prefix + ".ln_2", c.dModel(), c.layerNormEps());
        this.fc = new Linear(prefix + ".mlp.c_fc", c.dModel(), c.mlpHidden(), true);
        this.fcProj = new Linear(prefix + ".mlp.c_proj", c.mlpHidden(), c.dModel(), true);
    }

    public LayerNorm ln1() {
        return ln1;
    }

    public MultiHeadAttention attention() {
        return attention;
    }

    public LayerNorm ln2() {
        return ln2;
    }

    public Linear fc() {
        return fc;
    }

    public Linear fcProj() {
        return fcProj;
    }

    List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(ln1.parameters());
        ps.addAll(attention.parameters());
        ps.addAll(ln2.parameters());
        ps.addAll(fc.parameters());
        ps.addAll(fcProj.parameters());
        return ps;
    }
}
