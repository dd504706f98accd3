package org.attn4j.model.encdec;

/**
 * The attention a trained model uses at generation time in place of its trained one, per kind ({@code null}: as
 * trained); normalisers stay. This is how a model trained densely reasons through per-step dynamic masks. Written
 * {@code PATTERN} (every kind) or {@code PATTERN@KINDS} with kinds joined by {@code +}, e.g.
 * {@code tokentopk:1@decoder+cross} (the encoder's pass as trained).
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

    /**
     * Parses {@code PATTERN} or {@code PATTERN@KINDS} ({@link Sparsity#parse} patterns; kinds {@code encoder},
     * {@code decoder}, {@code cross}).
     *
     * @throws IllegalArgumentException starting with {@code decodeAttention:}
     */
    public static DecodeAttention parse(String text) {
        String t = text == null ? "" : text.trim();
        int at = t.indexOf('@');
        Sparsity s;
        try {
            s = Sparsity.parse(at < 0 ? t : t.substring(0, at));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("decodeAttention" + e.getMessage().substring("attention".length()), e);
        }
        if (at < 0) {
            return everywhere(s);
        }
        Sparsity[] kinds = new Sparsity[3];
        for (String k : t.substring(at + 1).split("\\+")) {
            AttentionKind kind = null;
            for (AttentionKind c : AttentionKind.values()) {
                if (c.label().equals(k.trim())) {
                    kind = c;
                }
            }
            if (kind == null) {
                throw new IllegalArgumentException("decodeAttention: expected kinds encoder, decoder or cross joined"
                        + " by + after @, got '" + text + "'");
            }
            kinds[kind.ordinal()] = s;
        }
        return new DecodeAttention(kinds[0], kinds[1], kinds[2]);
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

    /** {@code as trained}, {@code PATTERN}, or {@code PATTERN@KINDS} when one pattern replaces some kinds. */
    public String label() {
        if (encoder == null && decoder == null && cross == null) {
            return "as trained";
        }
        if (java.util.Objects.equals(encoder, decoder) && java.util.Objects.equals(decoder, cross)) {
            return encoder.label();
        }
        Sparsity one = encoder != null ? encoder : decoder != null ? decoder : cross;
        StringBuilder kinds = new StringBuilder();
        for (AttentionKind k : AttentionKind.values()) {
            Sparsity s = of(k);
            if (s != null && !s.equals(one)) {
                return "encoder " + name(encoder) + ", decoder " + name(decoder) + ", cross " + name(cross);
            }
            if (s != null) {
                kinds.append(kinds.length() == 0 ? "" : "+").append(k.label());
            }
        }
        return one.label() + "@" + kinds;
    }

    private static String name(Sparsity s) {
        return s == null ? "as trained" : s.label();
    }
}
