package org.attn4j.model.parity;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Training speed of a configuration (no evaluation in the loop).
 *
 * @param samplesPerSecond    training samples per wall-clock second
 * @param samplesPerCpuSecond training samples per second of CPU time used by the whole JVM (all threads): what the
 *                            configuration costs independently of other load on the machine
 * @param loadAverageBefore   the system's one-minute load average when the measurement started
 * @param loadAverageAfter    and when it ended
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ThroughputResult(String model, int n, int k, boolean cot, int layers, int heads, int dim, int batch,
                               int threads, long samples, double seconds, double samplesPerSecond,
                               double samplesPerCpuSecond, double loadAverageBefore, double loadAverageAfter,
                               int processors, String attention) {
}
