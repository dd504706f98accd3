package org.attn4j.conformance;

import java.util.Objects;

/**
 * What one case found: its status, a message (the reason for a skip, every finding of a failure, or a summary of the
 * errors measured), and the largest relative error measured against the reference with the tolerance it was held to
 * ({@code NaN} when the case compares no numbers, as error cases do).
 */
public final class CaseResult {
    private final String name;
    private final CaseCategory category;
    private final CaseStatus status;
    private final String message;
    private final double error;
    private final double tolerance;
    private final long nanos;

    public CaseResult(String name, CaseCategory category, CaseStatus status, String message, double error,
                      double tolerance, long nanos) {
        this.name = Objects.requireNonNull(name, "name");
        this.category = Objects.requireNonNull(category, "category");
        this.status = Objects.requireNonNull(status, "status");
        this.message = Objects.requireNonNull(message, "message");
        this.error = error;
        this.tolerance = tolerance;
        this.nanos = nanos;
    }

    public String name() {
        return name;
    }

    public CaseCategory category() {
        return category;
    }

    public CaseStatus status() {
        return status;
    }

    public boolean passed() {
        return status == CaseStatus.PASSED;
    }

    public boolean failed() {
        return status == CaseStatus.FAILED;
    }

    public boolean skipped() {
        return status == CaseStatus.SKIPPED;
    }

    /** Why it was skipped, what failed, or what was measured. */
    public String message() {
        return message;
    }

    /** Largest relative error measured against the reference, or {@code NaN} if none was measured. */
    public double error() {
        return error;
    }

    /** The tolerance {@link #error()} was held to, or {@code NaN}. */
    public double tolerance() {
        return tolerance;
    }

    /** Wall time of the case, reference included. */
    public long nanos() {
        return nanos;
    }

    @Override
    public String toString() {
        return status + " [" + category + "] " + name + (message.isEmpty() ? "" : ": " + message);
    }
}
