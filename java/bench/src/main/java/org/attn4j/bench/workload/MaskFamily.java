package org.attn4j.bench.workload;

/** The kinds of masking the benchmark sweeps; {@link MaskSpec} adds the parameter, {@link MaskInstance} the data. */
public enum MaskFamily {
    /** No mask: every query sees every key. */
    DENSE("dense", false),
    /** Causal (bottom-right aligned). */
    CAUSAL("causal", false),
    /** Causal plus a window of {@code W} keys to the left, as attention-gym's sliding window (default S/8). */
    SLIDING_WINDOW("sliding_window", true),
    /** Causal within documents: a block mask from random tile-aligned document boundaries (default 8 documents). */
    DOCUMENT("document", true),
    /** A random block mask with the given fraction of tiles kept (not causal). */
    BLOCK_SPARSE("block_sparse", true),
    /** Dynamic block top-k: each query tile keeps its {@code K} best key tiles (default K = key tiles / 8). */
    BLOCK_TOPK("block_topk", true),
    /** Dynamic token top-k: each query keeps its {@code K} best keys (default 64). */
    TOKEN_TOPK("token_topk", true),
    /** Dense attention normalized by sparsemax. */
    SPARSEMAX("sparsemax", false),
    /** Dense attention normalized by entmax-1.5. */
    ENTMAX15("entmax15", false);

    private final String id;
    private final boolean parameterized;

    MaskFamily(String id, boolean parameterized) {
        this.id = id;
        this.parameterized = parameterized;
    }

    /** Name used on the command line, in JSON and in peer scripts. */
    public String id() {
        return id;
    }

    public boolean parameterized() {
        return parameterized;
    }

    /** The family with this id, or null. */
    public static MaskFamily byId(String id) {
        for (MaskFamily f : values()) {
            if (f.id.equals(id)) {
                return f;
            }
        }
        return null;
    }
}
