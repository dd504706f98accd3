package org.attn4j.model.alicot;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One evaluation during training.
 *
 * @param samples  training problems seen
 * @param loss     mean training loss since the previous evaluation (null before training)
 * @param accuracy greedy-decoded answer accuracy on the held-out problems
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AlicotPoint(long samples, Double loss, double accuracy) {
}
