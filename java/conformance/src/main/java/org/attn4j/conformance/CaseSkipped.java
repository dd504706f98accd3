package org.attn4j.conformance;

/** Thrown inside a case when the provider declares the configuration unsupported; the message is the reason. */
final class CaseSkipped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CaseSkipped(String reason) {
        super(reason, null, false, false);
    }
}
