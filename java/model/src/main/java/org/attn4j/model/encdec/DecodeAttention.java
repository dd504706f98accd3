package org.attn4j.model.encdec;

/**
 * The attention a trained model uses at generation time in place of its trained one, per kind ({@code null}: as
 * trained); normalisers stay. This is how a model trained densely reasons through per-step dynamic masks.
 *
 * @param encoder the encoder's self-attention
 * @param decoder the decoder's self-attention
 * @param cross   the cross-attention
 */
public record DecodeAttention(Sparsity encoder, Sparsity decoder, Sparsity cross) {

    /** Every kind as trained. */
    public static DecodeAttention asTrained() {
        return new DecodeAttention(null, null, null);
    }

    /** The same pattern for every kind. */
    public static DecodeAttention everywhere(Sparsity s) {
        return new DecodeAttention(s, s, s);
    }

    Sparsity of(AttentionKind kind) {
        switch (kind) {
            case ENCODER:
                return encoder;
            case DECODER:
                return decoder;
            default:
                return cross;
        }
    }

    public String label() {
        if (encoder == null && decoder == null && cross == null) {
            return "as trained";
        }
        if (encoder == decoder && decoder == cross) {
            return encoder.label();
        }
        return "encoder " + name(encoder) + ", decoder " + name(decoder) + ", cross " + name(cross);
    }

    private static String name(Sparsity s) {
        return s == null ? "as trained" : s.label();
    }
}
