package org.attn4j.model.encdec;

/** The three attentions of an encoder-decoder transformer; each realises a {@link Sparsity} its own way. */
public enum AttentionKind {
    /** The encoder's self-attention over the problem: not causal, every position sees every other. */
    ENCODER("encoder"),
    /** The decoder's self-attention over the reasoning so far: causal. */
    DECODER("decoder"),
    /** The decoder's queries over the encoder's output: not causal ({@code Nq != Nk}). */
    CROSS("cross");

    private final String label;

    AttentionKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
