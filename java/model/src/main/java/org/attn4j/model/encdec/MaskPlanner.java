package org.attn4j.model.encdec;

import org.attn4j.AttentionRequest;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.Tiles;

/**
 * How each attention kind realises a {@link Sparsity} as the masks of an {@link AttentionRequest}. The rule every
 * choice follows: a query row may depend only on what it can see at generation time, so a full teacher-forced pass and
 * a step of generation keep the same keys.
 *
 * <ul>
 *   <li>Encoder (not causal): SPEC masks as they are: a two-sided window, block top-k over square tiles.</li>
 *   <li>Decoder (causal): a window looking back. Block top-k is not the SPEC's: its tile scores average over every row
 *       of a tile, later tokens included, so a trained causal layer would see the future. Instead each row keeps its
 *       own tile and the best earlier (complete) tiles by {@code q . mean(K tile)} ({@link CausalBlockTopK}), handed
 *       to the provider as a per-row block mask.</li>
 *   <li>Cross (decoder queries over the encoder): no causal mask. Block top-k with one-row query tiles (a tile of
 *       several decoder rows would let a row's choice depend on later rows). A window has no natural alignment between
 *       a decoder step and an encoder position; it is centred on the proportional one, {@code (t + 1/2) N / T}, as
 *       Luong et al.'s local attention does, plus the first {@code G} encoder positions.</li>
 * </ul>
 * Token top-k keeps its count in every kind; a fraction is taken of the keys a full row has (the decoder's full
 * length for the decoder).
 */
final class MaskPlanner {
    private MaskPlanner() {
    }

    /**
     * Sets the masks of {@code spec} on {@code b} for a call of this kind.
     *
     * @param q     the queries {@code [B, H, Nq, Dh]} (only read by the decoder's block top-k)
     * @param k     the keys {@code [B, H, Nk, Dh]} (likewise)
     * @param salt  distinguishes the static random masks of different layers
     */
    static AttentionRequest.Builder apply(AttentionRequest.Builder b, AttentionKind kind, Sparsity s, CallShape c,
                                          float[] q, float[] k, long salt) {
        if (kind == AttentionKind.DECODER) {
            b.causal();
        }
        int nk = c.keyLength();
        switch (s.kind()) {
            case DENSE:
                return b;
            case WINDOW:
                if (kind == AttentionKind.CROSS) {
                    return b.blockMask(crossWindow(s, c));
                }
                b.window(s.window(), kind == AttentionKind.ENCODER ? s.window() : 0);
                return s.globalTokens() > 0 ? b.globalTokens(s.globalTokens()) : b;
            case TOKEN_TOPK:
                return b.topKTokens(s.keys(kind == AttentionKind.DECODER ? c.decoderLength() : nk));
            case BLOCK_TOPK: {
                int bs = s.blockSize();
                if (kind == AttentionKind.ENCODER) {
                    return b.topKBlocks(s.blocks(Tiles.ceilDiv(nk, bs)), bs, bs);
                }
                if (kind == AttentionKind.CROSS) {
                    return b.topKBlocks(s.blocks(Tiles.ceilDiv(nk, bs)), 1, bs);
                }
                int kept = s.blocks(Tiles.ceilDiv(c.decoderLength(), bs));
                return b.blockMask(CausalBlockTopK.select(q, k, c, bs, kept));
            }
            case BLOCK_MASK:
                return b.blockMask(StaticBlocks.mask(kind, s, c, salt));
            default:
                throw new IllegalStateException(s.kind().toString());
        }
    }

    /** Cross-attention window: row {@code t} sees {@code |j - (t + 1/2) N / T| <= W} and {@code j < G}. */
    static BlockMask crossWindow(Sparsity s, CallShape c) {
        int n = c.keyLength();
        int total = c.decoderLength();
        return BlockMask.fromFunction(1, 1, c.queryLength(), n, 1, 1, (bb, h, row, j) -> {
            int centre = (int) Math.floor((c.firstQuery() + row + 0.5) * n / total);
            return j < s.globalTokens() || Math.abs(j - centre) <= s.window();
        });
    }
}
