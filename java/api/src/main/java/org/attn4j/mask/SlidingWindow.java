package org.attn4j.mask;

/**
 * Local attention: query {@code i} (aligned position {@code i'}) sees keys {@code i' - left <= j <= i' + right}.
 * The first {@code globalTokens} keys are seen by every query, and the first {@code globalTokens} aligned queries see
 * every key (Longformer-style global tokens).
 */
public final class SlidingWindow {
    private final int left;
    private final int right;
    private final int globalTokens;

    private SlidingWindow(int left, int right, int globalTokens) {
        if (left < 0) {
            throw new IllegalArgumentException("window.left: expected >= 0, got " + left);
        }
        if (right < 0) {
            throw new IllegalArgumentException("window.right: expected >= 0, got " + right);
        }
        if (globalTokens < 0) {
            throw new IllegalArgumentException("globalTokens: expected >= 0, got " + globalTokens);
        }
        this.left = left;
        this.right = right;
        this.globalTokens = globalTokens;
    }

    public static SlidingWindow of(int left, int right) {
        return new SlidingWindow(left, right, 0);
    }

    public static SlidingWindow of(int left, int right, int globalTokens) {
        return new SlidingWindow(left, right, globalTokens);
    }

    public SlidingWindow withGlobalTokens(int g) {
        return new SlidingWindow(left, right, g);
    }

    public int left() {
        return left;
    }

    public int right() {
        return right;
    }

    public int globalTokens() {
        return globalTokens;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SlidingWindow)) {
            return false;
        }
        SlidingWindow w = (SlidingWindow) o;
        return w.left == left && w.right == right && w.globalTokens == globalTokens;
    }

    @Override
    public int hashCode() {
        return (left * 31 + right) * 31 + globalTokens;
    }

    @Override
    public String toString() {
        return "window(" + left + ", " + right + (globalTokens > 0 ? ", global " + globalTokens : "") + ")";
    }
}
