package org.attn4j.model.encdec;

import java.util.Locale;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.SparsemaxLoss;

/** How logits become next-token probabilities, and the loss that goes with it. */
public enum OutputLayer {
    /** Softmax with cross-entropy. */
    SOFTMAX("softmax"),
    /** Sparsemax with the sparsemax loss: probabilities can be exactly zero. */
    SPARSEMAX("sparsemax");

    private final String label;

    OutputLayer(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Mean loss over the labelled rows; writes its gradient into {@code dLogits} when not null. */
    public double loss(float[] logits, int[] targets, int rows, int vocab, float[] dLogits) {
        return this == SOFTMAX ? CrossEntropy.lossAndGradient(logits, targets, rows, vocab, dLogits)
                : SparsemaxLoss.lossAndGradient(logits, targets, rows, vocab, dLogits);
    }

    /** Tokens of row {@code r} with a non-zero probability: all of them under softmax. */
    public int support(float[] logits, int r, int vocab, float[] scratch) {
        return this == SOFTMAX ? vocab : SparsemaxLoss.sparsemax(logits, r, vocab, scratch);
    }

    public static OutputLayer parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (OutputLayer o : values()) {
            if (o.label.equals(t)) {
                return o;
            }
        }
        throw new IllegalArgumentException("output: expected softmax or sparsemax, got '" + text + "'");
    }
}
