package org.attn4j.model.encdec;

import java.util.SplittableRandom;
import org.attn4j.model.nn.Dropout;
import org.attn4j.model.nn.Parallel;

/**
 * What one forward pass (or generation step) is: whether it keeps what the backward pass needs, its dropout, whether
 * it fetches attention probabilities, the decoder's full length (which fractions of decoder keys and the alignment of
 * cross-attention windows refer to), the attention it uses in place of the trained one, and where attended pairs are
 * counted.
 */
final class Pass {
    final boolean keepForBackward;
    final float dropout;
    final SplittableRandom random;
    final boolean capture;
    final Parallel par;
    final int decoderLength;
    final DecodeAttention override;
    final PairCounts pairs;

    Pass(boolean keepForBackward, float dropout, SplittableRandom random, boolean capture, Parallel par,
         int decoderLength, DecodeAttention override, PairCounts pairs) {
        this.keepForBackward = keepForBackward;
        this.dropout = dropout;
        this.random = random;
        this.capture = capture;
        this.par = par;
        this.decoderLength = decoderLength;
        this.override = override;
        this.pairs = pairs;
    }

    /** The keys this layer keeps in this pass: the override's for its kind, else the trained one. */
    Sparsity sparsity(AttentionKind kind, AttentionSpec trained) {
        Sparsity s = override == null ? null : override.of(kind);
        return s != null ? s : trained.sparsity();
    }

    /** Draws a dropout mask into {@code mask} and applies it to {@code x}; false when dropout is off. */
    boolean dropout(float[] x, float[] mask, int n) {
        if (dropout <= 0 || !Dropout.drawMask(dropout, random, mask, n)) {
            return false;
        }
        Dropout.apply(x, mask, n);
        return true;
    }
}
