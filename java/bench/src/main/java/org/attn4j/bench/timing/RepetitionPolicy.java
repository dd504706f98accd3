package org.attn4j.bench.timing;

/**
 * How long to measure one configuration: {@code warmup} untimed calls (JIT, caches, lazy initialization), then at
 * least {@code minReps} timed calls, more until {@code targetSeconds} of timed calls or {@code maxReps}.
 */
public record RepetitionPolicy(int warmup, int minReps, int maxReps, double targetSeconds) {

    /** Quick runs: 1 warm-up, 3 to 10 repetitions, about 1 s per configuration. */
    public static final RepetitionPolicy QUICK = new RepetitionPolicy(1, 3, 10, 1.0);
    /** Full runs: 3 warm-ups, 10 to 100 repetitions, about 3 s per configuration. */
    public static final RepetitionPolicy FULL = new RepetitionPolicy(3, 10, 100, 3.0);

    public RepetitionPolicy {
        if (warmup < 0) {
            throw new IllegalArgumentException("warmup: expected >= 0, got " + warmup);
        }
        if (minReps < 1) {
            throw new IllegalArgumentException("min-reps: expected >= 1, got " + minReps);
        }
        if (maxReps < minReps) {
            throw new IllegalArgumentException("reps: expected >= min-reps (" + minReps + "), got " + maxReps);
        }
        if (!(targetSeconds >= 0)) {
            throw new IllegalArgumentException("target-seconds: expected >= 0, got " + targetSeconds);
        }
    }

    /** Whether to stop after {@code reps} timed calls that took {@code seconds} in all. */
    public boolean done(int reps, double seconds, boolean outOfBudget) {
        return reps >= maxReps || (reps >= minReps && (seconds >= targetSeconds || outOfBudget));
    }
}
