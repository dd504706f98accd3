package org.attn4j.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * What one case measured and found wrong. A case records every problem it sees rather than stopping at the first,
 * so that one failure report says, for instance, both "O is off" and "LSE is NaN in row 3".
 */
final class Findings {
    private final List<String> problems = new ArrayList<>();
    private final List<String> measured = new ArrayList<>();
    private double worstError = Double.NaN;
    private double toleranceOfWorst = Double.NaN;

    /** Records a problem. */
    void fail(String problem) {
        problems.add(problem);
    }

    /** Records a relative error of {@code what} and fails when it exceeds {@code tolerance} (or is NaN). */
    void error(String what, double error, double tolerance) {
        measured.add(String.format("%s %.2e", what, error));
        double ratio = error / tolerance;
        if (Double.isNaN(worstError) || Double.isNaN(ratio) || ratio > worstError / toleranceOfWorst) {
            worstError = error;
            toleranceOfWorst = tolerance;
        }
        if (!(error <= tolerance)) {
            problems.add(String.format("%s: relative error %.3e exceeds tolerance %.1e", what, error, tolerance));
        }
    }

    boolean ok() {
        return problems.isEmpty();
    }

    double worstError() {
        return worstError;
    }

    double toleranceOfWorst() {
        return toleranceOfWorst;
    }

    /** The errors measured, e.g. {@code O 3.1e-07, LSE 1.2e-08}. */
    String measuredSummary() {
        return String.join(", ", measured);
    }

    String problemSummary() {
        return String.join("; ", problems);
    }
}
