package org.attn4j.model.parity;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One evaluation during training.
 *
 * @param samples              training samples seen
 * @param loss                 mean training loss since the previous evaluation (null at 0 samples)
 * @param exactMatch           exact match on the held-out set
 * @param entropy              normalised attention entropy {@code [layer][head]} (Eq. 1: minimum over the rows)
 * @param secretAttention      CoT rows attending most to their secret (null without CoT)
 * @param cotEntropyMean       normalised entropy averaged over the CoT rows {@code [layer][head]} (null without CoT)
 * @param secretProbability    mean attention weight on the secret over the CoT rows (null without CoT)
 * @param secretProbabilityMin the smallest per-row mean weight on the secret (null without CoT)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvalPoint(long samples, Double loss, double exactMatch, double[][] entropy, Double secretAttention,
                        double[][] cotEntropyMean, Double secretProbability, Double secretProbabilityMin) {
}
