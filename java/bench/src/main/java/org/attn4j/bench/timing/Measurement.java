package org.attn4j.bench.timing;

import java.util.Arrays;

/**
 * The timing loop: warm-up calls, then timed calls until the {@link RepetitionPolicy} is met. Call {@code r} uses
 * input set {@code r mod sets}, so consecutive calls read different memory and caches cannot flatter the result.
 * Whatever a call returns is closed after its interval ends, outside the timed region.
 */
public final class Measurement {

    /** One call on input set {@code set}, returning what must be closed afterwards (or null). */
    @FunctionalInterface
    public interface Call {
        AutoCloseable run(int set) throws Exception;
    }

    private Measurement() {
    }

    /** Timings in milliseconds, one per timed call. */
    public static double[] run(Call call, int sets, RepetitionPolicy policy, IntervalTimer timer, Deadline deadline)
            throws Exception {
        if (sets < 1) {
            throw new IllegalArgumentException("sets: expected >= 1, got " + sets);
        }
        for (int w = 0; w < policy.warmup(); w++) {
            timer.start();
            AutoCloseable result = call.run(w % sets);
            timer.stop();
            timer.elapsedMillis();
            closeQuietly(result);
        }
        double[] samples = new double[policy.maxReps()];
        int reps = 0;
        double total = 0;
        while (!policy.done(reps, total / 1e3, deadline.passed())) {
            int set = (policy.warmup() + reps) % sets;
            timer.start();
            AutoCloseable result = call.run(set);
            timer.stop();
            double ms = timer.elapsedMillis();
            closeQuietly(result);
            samples[reps++] = ms;
            total += ms;
        }
        return Arrays.copyOf(samples, reps);
    }

    private static void closeQuietly(AutoCloseable c) throws Exception {
        if (c != null) {
            c.close();
        }
    }
}
