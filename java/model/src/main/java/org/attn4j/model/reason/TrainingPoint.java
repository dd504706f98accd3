package org.attn4j.model.reason;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One evaluation during training, teacher-forced on the held-out evaluation problems.
 *
 * @param samples    training samples seen
 * @param loss       mean training loss since the previous evaluation
 * @param exactMatch problems whose whole chain and end token are predicted right
 * @param accuracy   problems whose answer tokens are predicted right
 * @param seconds    wall time so far
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingPoint(long samples, double loss, double exactMatch, double accuracy, double seconds) {
}
