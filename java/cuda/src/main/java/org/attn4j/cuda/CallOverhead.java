package org.attn4j.cuda;

import java.util.Arrays;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;

/**
 * Measures what a call costs beyond its kernels: the wall time of a synchronous forward call (Java validation, plan
 * lookup, one JNI crossing, native validation, launches, synchronize) against the kernel time the CUDA events
 * recorded around the launches report. Meant for a tiny request on device tensors, where the difference is the
 * call overhead. A measurement hook for the benchmark, not a test.
 */
public final class CallOverhead {
    private final int iterations;
    private final double wallMicros;
    private final double kernelMicros;
    private final double overheadMicros;

    private CallOverhead(int iterations, double wallMicros, double kernelMicros, double overheadMicros) {
        this.iterations = iterations;
        this.wallMicros = wallMicros;
        this.kernelMicros = kernelMicros;
        this.overheadMicros = overheadMicros;
    }

    /**
     * Runs {@code warmup + iterations} forward calls of {@code request} (device tensors) on a new stream and returns
     * the medians.
     */
    public static CallOverhead measure(AttentionRequest request, int warmup, int iterations) {
        if (warmup < 0 || iterations < 1) {
            throw new IllegalArgumentException("iterations: expected warmup >= 0 and iterations >= 1, got " + warmup
                    + " and " + iterations);
        }
        int device = request.device().index();
        double[] wall = new double[iterations];
        double[] kernel = new double[iterations];
        double[] overhead = new double[iterations];
        try (CudaStream stream = CudaStream.create(device); CudaEvent start = CudaEvent.create(device);
             CudaEvent stop = CudaEvent.create(device)) {
            CudaAttention.Events events = new CudaAttention.Events(start, stop);
            for (int i = 0; i < warmup + iterations; i++) {
                long t0 = System.nanoTime();
                try (AttentionResult r = CudaAttention.forwardTimed(request, stream, events)) {
                    stream.synchronize();
                    r.output();  // ready now; closing the result frees it
                    long t1 = System.nanoTime();
                    if (i >= warmup) {
                        int at = i - warmup;
                        wall[at] = (t1 - t0) / 1e3;
                        kernel[at] = stop.elapsedMillis(start) * 1e3;
                        overhead[at] = wall[at] - kernel[at];
                    }
                }
            }
        }
        return new CallOverhead(iterations, median(wall), median(kernel), median(overhead));
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    public int iterations() {
        return iterations;
    }

    /** Median wall time of one synchronous call, in microseconds. */
    public double wallMicros() {
        return wallMicros;
    }

    /** Median time between the events around the kernels, in microseconds. */
    public double kernelMicros() {
        return kernelMicros;
    }

    /** Median of (wall - kernel) per call, in microseconds. */
    public double overheadMicros() {
        return overheadMicros;
    }

    @Override
    public String toString() {
        return String.format("call %.1f us = kernels %.1f us + overhead %.1f us (median of %d)", wallMicros,
                kernelMicros, overheadMicros, iterations);
    }
}
