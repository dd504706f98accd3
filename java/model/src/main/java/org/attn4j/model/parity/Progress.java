package org.attn4j.model.parity;

import java.util.Locale;

/**
 * A snapshot of a run for a one-line progress display.
 *
 * @param label       what is running, e.g. {@code n=20 k=3 CoT seed 0}
 * @param samples     training samples seen
 * @param budget      samples planned
 * @param loss        mean training loss since the previous snapshot
 * @param exactMatch  exact match at the latest evaluation
 * @param entropy     smallest normalised attention entropy over layers and heads at the latest evaluation
 * @param secretAttention fraction of CoT rows attending most to their secret ({@code NaN} without CoT)
 * @param seconds     wall time so far
 */
public record Progress(String label, long samples, long budget, double loss, double exactMatch, double entropy,
                       double secretAttention, double seconds) {

    /**
     * e.g. {@code gpt n=20 k=3 CoT seed 0 | 12288/200000 samples | loss 0.4120 | exact 0.531 | entropy 0.412 |
     * secret 0.87 | 3.2 s}.
     */
    public String line() {
        // Before the first step there is no training loss yet.
        String lossText = Double.isNaN(loss) ? "-" : String.format(Locale.ROOT, "%.4f", loss);
        return String.format(Locale.ROOT, "%s | %d/%d samples | loss %s | exact %.3f | entropy %.3f%s | %.1f s",
                label, samples, budget, lossText, floor3(exactMatch), entropy,
                Double.isNaN(secretAttention) ? "" : String.format(Locale.ROOT, " | secret %.3f", secretAttention),
                seconds);
    }

    /** Rounded down, so that 2047 of 2048 right shows as 0.999, never as the 1.000 that means converged. */
    static double floor3(double v) {
        return Math.floor(v * 1000) / 1000;
    }
}
