package org.attn4j.model.nn;

/**
 * Learning rate that decays linearly from its peak to zero over the planned steps, after an optional linear warm-up
 * (Hugging Face's {@code get_linear_schedule_with_warmup}; the paper uses no warm-up).
 */
public final class LinearDecay {
    private final double peak;
    private final long warmupSteps;
    private final long totalSteps;

    public LinearDecay(double peak, long warmupSteps, long totalSteps) {
        if (!(peak > 0) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException("lr: expected a finite number > 0, got " + peak);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmupSteps: expected >= 0, got " + warmupSteps);
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("totalSteps: expected >= 1, got " + totalSteps);
        }
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    public double peak() {
        return peak;
    }

    public long totalSteps() {
        return totalSteps;
    }

    /** The rate for step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / (double) warmupSteps;
        }
        if (step >= totalSteps) {
            return 0;
        }
        return peak * (totalSteps - step) / (double) Math.max(1, totalSteps - warmupSteps);
    }
}
