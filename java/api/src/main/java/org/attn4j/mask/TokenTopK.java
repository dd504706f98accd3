package org.attn4j.mask;

/**
 * Dynamic token top-k: after every other mask, each query keeps its {@code k} allowed keys of highest score
 * (ties: lower key index first; fewer allowed: all of them).
 */
public final class TokenTopK {
    private final int k;

    private TokenTopK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("topKTokens.k: expected >= 1, got " + k);
        }
        this.k = k;
    }

    public static TokenTopK of(int k) {
        return new TokenTopK(k);
    }

    public int k() {
        return k;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenTopK && ((TokenTopK) o).k == k;
    }

    @Override
    public int hashCode() {
        return k;
    }

    @Override
    public String toString() {
        return "topKTokens(" + k + ")";
    }
}
