package org.attn4j.mask;

/**
 * The order in which dynamic top-k ranks candidates (keys for token top-k, key tiles for block top-k), per the
 * SPEC: a higher score first, scores compared as numbers, so {@code -0.0} and {@code +0.0} tie; NaN ranks above
 * every number (as {@code torch.topk} and NumPy's sort put it), so a row whose candidates include a NaN keeps it
 * and turns NaN; ties, NaN with NaN included, go to the lower index.
 */
public final class SelectionOrder {
    private SelectionOrder() {
    }

    /**
     * Negative when candidate {@code (a, indexA)} ranks before {@code (b, indexB)}, positive when after, 0 only for
     * the same index and an equal score.
     */
    public static int compare(double a, int indexA, double b, int indexB) {
        boolean nanA = Double.isNaN(a);
        boolean nanB = Double.isNaN(b);
        if (nanA != nanB) {
            return nanA ? -1 : 1;
        }
        if (!nanA && a != b) {
            return a > b ? -1 : 1;
        }
        return Integer.compare(indexA, indexB);
    }

    /** Whether {@code (a, indexA)} ranks before {@code (b, indexB)}. */
    public static boolean ranksBefore(double a, int indexA, double b, int indexB) {
        return compare(a, indexA, b, indexB) < 0;
    }
}
