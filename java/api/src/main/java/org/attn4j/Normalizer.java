package org.attn4j;

import java.util.Locale;

/** How one query row's allowed scores become attention weights (see SPEC "Normalizers"). */
public enum Normalizer {
    /** {@code p = exp(s - max s) / sum}; the only normalizer with a log-sum-exp. */
    SOFTMAX("softmax"),
    /** Euclidean projection onto the simplex, {@code p = max(s - tau, 0)} (Martins and Astudillo 2016). */
    SPARSEMAX("sparsemax"),
    /** {@code p = max(s / 2 - tau, 0)^2} with {@code sum p = 1} (Peters et al. 2019). */
    ENTMAX15("entmax15");

    private final String label;

    Normalizer(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Parses {@code softmax|sparsemax|entmax15} (also {@code entmax-1.5}, {@code entmax1.5}). */
    public static Normalizer parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        switch (t) {
            case "softmax": return SOFTMAX;
            case "sparsemax": return SPARSEMAX;
            case "entmax15": case "entmax1.5": return ENTMAX15;
            default:
                throw new IllegalArgumentException(
                        "normalizer: expected one of softmax, sparsemax, entmax15, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
