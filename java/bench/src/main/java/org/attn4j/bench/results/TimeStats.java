package org.attn4j.bench.results;

/**
 * Timings of one row in milliseconds per call.
 *
 * @param reps   timed calls
 * @param warmup untimed calls before them
 * @param timer  {@code host-wall} (System.nanoTime / time.perf_counter), {@code device-events} (CUDA events)
 */
public record TimeStats(double median, double min, double max, double mean, int reps, int warmup, String timer) {
}
