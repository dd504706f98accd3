package org.attn4j.model.parity;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One evaluation during training.
 *
 * @param samples         training samples seen
 * @param loss            mean training loss since the previous evaluation (null at 0 samples)
 * @param exactMatch      exact match on the held-out set
 * @param entropy         normalised attention entropy {@code [layer][head]}
 * @param secretAttention CoT rows attending most to their secret (null without CoT)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvalPoint(long samples, Double loss, double exactMatch, double[][] entropy, Double secretAttention) {
}
