package org.attn4j.conformance;

/** The groups of conformance cases; each is one {@code @TestFactory} of {@link ProviderConformanceTest}. */
public enum CaseCategory {
    /** The plugin itself: its name, availability, capabilities and ServiceLoader registration. */
    CONTRACT("contract"),
    /** Dense attention on random shapes with fixed seeds: MHA, GQA, MQA, Nq != Nk, explicit scales. */
    SHAPES("shapes"),
    /** Every mask and normalizer, alone and combined, on square and Nq != Nk shapes. */
    MASKS("masks"),
    /** Decode shapes: one query against 1 .. 257 keys. */
    DECODE("decode"),
    /** Rows with no allowed key: O = 0, LSE = -inf, never NaN. */
    FULLY_MASKED("fully-masked"),
    /** Sequence lengths 1, 7, 100 and 257, square and lopsided. */
    ODD_SIZES("odd-sizes"),
    /** Every input type, and output types other than the input's. */
    DTYPES("dtypes"),
    /** LSE, probabilities and caller-provided output tensors. */
    OUTPUTS("outputs"),
    /** dQ, dK, dV against the reference's. */
    BACKWARD("backward"),
    /**
     * FlashAttention's test grid: its (Nq, Nk) pairs, head dims 32 to 256, MHA/GQA/MQA, causal and local windows,
     * forward and backward; a seeded sample by default ({@link FlashAttentionGrid}).
     */
    FLASH_ATTENTION_GRID("flash-attention-grid"),
    /** Invalid requests: an IllegalArgumentException whose message names the field. */
    ERRORS("errors"),
    /** Decoding with a KV cache: the cache's properties, and decode steps against the reference's. */
    KV_CACHE("kv-cache");

    private final String label;

    CaseCategory(String label) {
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
