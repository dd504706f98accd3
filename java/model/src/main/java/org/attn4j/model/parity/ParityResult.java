package org.attn4j.model.parity;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one parity run, as written to {@code --json}: the task, whether and when exact match 1.0 was first
 * reached, the final metrics, the settings and the evaluation history.
 *
 * @param sampleComplexity  samples seen at the first evaluation with exact match 1.0, or null
 * @param samplesSeen       samples trained on in total
 * @param finalExactMatch   exact match at the last evaluation
 * @param entropy           normalised attention entropy {@code [layer][head]} at the last evaluation
 * @param secretAttention   fraction of CoT rows whose strongest attention (first layer, any head) is on their secret
 *                          index at the last evaluation; null without CoT
 * @param secretProbability mean attention weight on the secret index (first layer, best head); null without CoT
 * @param secretProbabilityByRow the same for each CoT row {@code n .. n+k-1}; empty without CoT
 * @param secretProbabilityMin the smallest entry of {@code secretProbabilityByRow}; null without CoT
 * @param cotEntropyMean    normalised entropy averaged over the CoT rows {@code [layer][head]}; null without CoT
 * @param threshold         the exact match that counted as converged ({@code sampleComplexity} is the first
 *                          evaluation at or above it)
 * @param samplesToExactMatch   for each of the exact-match levels 0.9, 0.99, 0.995, 1.0 (and the threshold), the
 *                          samples at the first evaluation that reached it, or null
 * @param samplesToSecretProbability for the level 0.9: the samples at the first evaluation where every CoT row's
 *                          secret probability reached it, or null (always null without CoT)
 * @param seconds           wall time of the run
 * @param trainSeconds      time spent in training steps (evaluations excluded)
 * @param samplesPerSecond  training throughput ({@code samplesSeen / trainSeconds})
 * @param settings          every setting that shapes the outcome ({@link ParityOptions#settings()}); null in results
 *                          written before it was recorded
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ParityResult(int n, int k, boolean cot, int[] secret, boolean converged, Long sampleComplexity,
                           long samplesSeen, double finalExactMatch, double[][] entropy, Double secretAttention,
                           Double secretProbability, double[] secretProbabilityByRow, Double secretProbabilityMin,
                           double[][] cotEntropyMean, double threshold, Map<String, Long> samplesToExactMatch,
                           Map<String, Long> samplesToSecretProbability, double seconds, double trainSeconds,
                           double samplesPerSecond,
                           String model, int layers, int heads, int dim, double lr, int batch, long budget,
                           int trainSize, int epochs, String normalizer, int window, int globalTokens, long seed,
                           int threads, String attention, Map<String, Object> settings, List<EvalPoint> history) {
}
