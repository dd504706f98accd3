package org.attn4j.conformance;

/** The work of one case: records what it measures and finds in {@code findings}, or throws {@link CaseSkipped}. */
@FunctionalInterface
interface CaseBody {
    void run(Findings findings) throws Exception;
}
