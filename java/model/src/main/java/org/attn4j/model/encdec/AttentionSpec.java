package org.attn4j.model.encdec;

import org.attn4j.Normalizer;

/**
 * The attention of one layer of one kind: its normaliser and which keys it keeps.
 *
 * @param normalizer softmax, sparsemax or entmax-1.5
 * @param sparsity   the kept keys
 */
public record AttentionSpec(Normalizer normalizer, Sparsity sparsity) {

    public AttentionSpec {
        if (normalizer == null) {
            throw new IllegalArgumentException("normalizer: expected softmax, sparsemax or entmax15, got null");
        }
        if (sparsity == null) {
            throw new IllegalArgumentException("attention: expected a pattern, got null");
        }
    }

    public static AttentionSpec dense() {
        return new AttentionSpec(Normalizer.SOFTMAX, Sparsity.dense());
    }

    public AttentionSpec withSparsity(Sparsity s) {
        return new AttentionSpec(normalizer, s);
    }

    public String label() {
        return normalizer.label() + " " + sparsity.label();
    }
}
