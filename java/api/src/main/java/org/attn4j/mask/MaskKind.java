package org.attn4j.mask;

/** The masks of the SPEC, as capabilities a provider declares and a request uses. */
public enum MaskKind {
    CAUSAL("causal"),
    SLIDING_WINDOW("sliding window"),
    GLOBAL_TOKENS("global tokens"),
    BLOCK_MASK("block mask"),
    BLOCK_TOPK("dynamic block top-k"),
    TOKEN_TOPK("dynamic token top-k");

    private final String label;

    MaskKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
