package org.attn4j.bench.check;

/**
 * The outcome of comparing a provider's result with the reference on the sampled slices.
 *
 * @param relError  {@code ||x - ref|| / ||ref||} over every sampled row (absolute norm when the reference is all zero)
 * @param tolerance the bound it was held to
 * @param samples   which slices were compared
 * @param note      why it failed beyond the number (NaN, exception), or empty
 */
public record CheckResult(double relError, double tolerance, String samples, String note) {

    public boolean passed() {
        return note.isEmpty() && relError <= tolerance;
    }

    /** Why the check failed, for the row's note. */
    public String failure() {
        if (!note.isEmpty()) {
            return note;
        }
        return String.format("relative error %.3g exceeds %.1g", relError, tolerance);
    }
}
