package org.attn4j.conformance;

/** Outcome of one conformance case. */
public enum CaseStatus {
    PASSED,
    FAILED,
    /** The provider declares the configuration unsupported (or is unavailable); the reason says which. */
    SKIPPED
}
