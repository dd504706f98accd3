package org.attn4j.model.gpt;

import org.attn4j.mask.BlockTopK;

/**
 * The dynamic attention of generated tokens. With neither selection set, every layer keeps its own
 * {@link LayerAttention}; otherwise the selection given here replaces the layers' dynamic ones (their normaliser,
 * window and global tokens stay).
 *
 * @param tokenTopK each new token attends to its best {@code tokenTopK} keys ({@code 0}: off)
 * @param blockTopK each new token attends to the best key blocks ({@code null}: off)
 */
public record GenerationOptions(int tokenTopK, BlockTopK blockTopK) {

    public GenerationOptions {
        if (tokenTopK < 0) {
            throw new IllegalArgumentException("tokenTopK: expected 0 (off) or >= 1, got " + tokenTopK);
        }
    }

    /** The layers' own attention. */
    public static GenerationOptions asTrained() {
        return new GenerationOptions(0, null);
    }

    /** Token top-k for every generated token. */
    public static GenerationOptions topKTokens(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("topKTokens: expected >= 1, got " + k);
        }
        return new GenerationOptions(k, null);
    }

    /** Block top-k for every generated token. */
    public static GenerationOptions topKBlocks(int k, int blockK) {
        return new GenerationOptions(0, BlockTopK.of(k, 1, blockK));
    }

    boolean overrides() {
        return tokenTopK > 0 || blockTopK != null;
    }

    /** The attention a generated token uses in a layer trained with {@code layer}. */
    LayerAttention applyTo(LayerAttention layer) {
        if (!overrides()) {
            return layer;
        }
        return layer.staticPart().withTokenTopK(tokenTopK).withBlockTopK(blockTopK);
    }

    public String describe() {
        if (tokenTopK > 0) {
            return "top-" + tokenTopK + " tokens";
        }
        if (blockTopK != null) {
            return "top-" + blockTopK.k() + " blocks of " + blockTopK.blockK();
        }
        return "as trained";
    }
}
