package org.attn4j.model.gpt;

import java.util.Objects;
import org.attn4j.AttentionRequest;
import org.attn4j.Normalizer;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.mask.BlockTopK;

/**
 * The attention of one decoder layer: its normaliser and the masks added to the causal one (a sliding window with
 * global tokens, a dynamic token or block top-k). Every setting maps onto an {@link AttentionRequest}, so any provider
 * that supports it runs the layer.
 *
 * @param normalizer   softmax, sparsemax or entmax-1.5
 * @param window       keys at most {@code window} positions back are seen ({@code -1}: no window)
 * @param globalTokens the first tokens, seen by every query and seeing every key (needs a window)
 * @param tokenTopK    each query keeps its best {@code tokenTopK} keys ({@code 0}: off)
 * @param blockTopK    dynamic block top-k ({@code null}: off); only for generated tokens, since its tile scores see
 *                     later tokens in a full forward pass ({@link GptConfig} refuses it in a layer)
 */
public record LayerAttention(Normalizer normalizer, int window, int globalTokens, int tokenTopK, BlockTopK blockTopK) {

    public LayerAttention {
        Objects.requireNonNull(normalizer, "normalizer");
        if (window < -1) {
            throw new IllegalArgumentException("window: expected -1 (none) or >= 0, got " + window);
        }
        if (globalTokens < 0) {
            throw new IllegalArgumentException("globalTokens: expected >= 0, got " + globalTokens);
        }
        if (globalTokens > 0 && window < 0) {
            throw new IllegalArgumentException("globalTokens: only meaningful with a window; got " + globalTokens
                    + " global tokens and no window");
        }
        if (tokenTopK < 0) {
            throw new IllegalArgumentException("tokenTopK: expected 0 (off) or >= 1, got " + tokenTopK);
        }
    }

    /** Causal softmax attention, the GPT-2 default. */
    public static LayerAttention dense() {
        return new LayerAttention(Normalizer.SOFTMAX, -1, 0, 0, null);
    }

    /** Causal attention with this normaliser and no other mask. */
    public static LayerAttention of(Normalizer normalizer) {
        return new LayerAttention(normalizer, -1, 0, 0, null);
    }

    public LayerAttention withNormalizer(Normalizer n) {
        return new LayerAttention(n, window, globalTokens, tokenTopK, blockTopK);
    }

    public LayerAttention withWindow(int w, int global) {
        return new LayerAttention(normalizer, w, global, tokenTopK, blockTopK);
    }

    public LayerAttention withTokenTopK(int k) {
        return new LayerAttention(normalizer, window, globalTokens, k, blockTopK);
    }

    public LayerAttention withBlockTopK(BlockTopK b) {
        return new LayerAttention(normalizer, window, globalTokens, tokenTopK, b);
    }

    /** Without the dynamic selections (keeps normaliser, window and global tokens). */
    public LayerAttention staticPart() {
        return new LayerAttention(normalizer, window, globalTokens, 0, null);
    }

    public boolean hasWindow() {
        return window >= 0;
    }

    /** Sets causal masking, the normaliser and every mask of this layer on {@code b}. */
    public AttentionRequest.Builder applyTo(AttentionRequest.Builder b) {
        b.causal().normalizer(normalizer);
        if (window >= 0) {
            b.window(window, 0);
            if (globalTokens > 0) {
                b.globalTokens(globalTokens);
            }
        }
        if (tokenTopK > 0) {
            b.topKTokens(tokenTopK);
        }
        if (blockTopK != null) {
            b.topKBlocks(blockTopK);
        }
        return b;
    }

    /**
     * Sets the normaliser and every mask of this layer on a decode step {@code b} (decoding is causal; block top-k
     * takes its blocks from the cache, whose block size must be this layer's {@code blockK}).
     */
    public DecodeRequest.Builder applyTo(DecodeRequest.Builder b) {
        b.normalizer(normalizer);
        if (window >= 0) {
            b.window(window);
            if (globalTokens > 0) {
                b.globalTokens(globalTokens);
            }
        }
        if (tokenTopK > 0) {
            b.topKTokens(tokenTopK);
        }
        if (blockTopK != null) {
            b.topKBlocks(blockTopK.k());
        }
        return b;
    }

    /** e.g. {@code softmax causal window(8, global 1) topKTokens(2)}. */
    public String describe() {
        StringBuilder sb = new StringBuilder(normalizer.label()).append(" causal");
        if (window >= 0) {
            sb.append(" window(").append(window);
            if (globalTokens > 0) {
                sb.append(", global ").append(globalTokens);
            }
            sb.append(')');
        }
        if (tokenTopK > 0) {
            sb.append(" topKTokens(").append(tokenTopK).append(')');
        }
        if (blockTopK != null) {
            sb.append(' ').append(blockTopK);
        }
        return sb.toString();
    }
}
