package org.attn4j.model.parity;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.SplittableRandom;

/**
 * Measures training throughput (samples per second) of a parity configuration: a warm-up, then {@code samples}
 * training samples on fresh data, timed by the wall clock and by the JVM's CPU time (so that a busy shared machine can
 * be told apart from a slow configuration).
 */
public final class TrainingThroughput {
    private TrainingThroughput() {
    }

    public static ThroughputResult measure(ParityOptions options, long samples, long warmupSamples) {
        options.validate();
        if (samples < 1) {
            throw new IllegalArgumentException("samples: expected >= 1, got " + samples);
        }
        if (warmupSamples < 0) {
            throw new IllegalArgumentException("warmupSamples: expected >= 0, got " + warmupSamples);
        }
        ParityOptions o = options.copy().maxSamples(samples + warmupSamples);
        SplittableRandom seeds = new SplittableRandom(o.seed());
        ParityTask task = ParityExperiment.task(o);
        ParityData data = new ParityData(task, seeds.nextLong(), (int) Math.min(o.evalSize(),
                (long) Math.pow(2, o.n()) / 2), 0);
        try (ParityLearner learner = ParityExperiment.create(o, task, seeds.nextLong())) {
            int len = task.length();
            int[] tokens = new int[o.batch() * len];
            int[] targets = new int[o.batch() * len];
            int[] scored = learner.scoredRows(task);
            long done = 0;
            while (done < warmupSamples) {
                int b = (int) Math.min(o.batch(), warmupSamples - done);
                data.nextBatch(b, tokens);
                ParityExperiment.fillTargets(tokens, targets, b, len, scored);
                learner.train(tokens, targets, b, len);
                done += b;
            }
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            double loadBefore = os.getSystemLoadAverage();
            long cpu0 = processCpuNanos(os);
            long t0 = System.nanoTime();
            done = 0;
            while (done < samples) {
                int b = (int) Math.min(o.batch(), samples - done);
                data.nextBatch(b, tokens);
                ParityExperiment.fillTargets(tokens, targets, b, len, scored);
                learner.train(tokens, targets, b, len);
                done += b;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long cpu = processCpuNanos(os) - cpu0;
            return new ThroughputResult(o.model().label(), task.n(), task.k(), task.cot(), learner.layers(),
                    learner.heads(), o.dim(), o.batch(), o.threads(), samples, seconds, samples / seconds,
                    cpu > 0 ? samples / (cpu / 1e9) : Double.NaN, loadBefore, os.getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors(), learner.attentionBackend());
        }
    }

    private static long processCpuNanos(OperatingSystemMXBean os) {
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }
}
