package org.attn4j.model.parity;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The demo's outcome: the training run, then one line per way of generating the chain of thought.
 *
 * @param training   the training run (sample complexity, entropy, secret attention...)
 * @param generation dense first, then each token top-k
 * @param seconds    wall time of the whole story
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DemoResult(ParityResult training, List<Generation> generation, double seconds) {

    /**
     * Greedy generation of the {@code k + 1} tokens after each held-out prompt.
     *
     * @param attention      {@code dense} or {@code top-K tokens}
     * @param prompts        sequences generated
     * @param exactMatch     fraction whose whole chain of thought and answer are right
     * @param answerAccuracy fraction whose final answer is right
     * @param attendedPairs  (query, key) pairs attended by the generated tokens
     * @param causalPairs    pairs dense causal attention attends for the same tokens
     * @param density        {@code attendedPairs / causalPairs}
     * @param decodeSeconds  time of the token-by-token steps (the prompt's forward pass excluded), best of three runs
     * @param prefillSeconds time of the prompt's forward pass
     * @param provider       the provider that ran the generated tokens' attention
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Generation(String attention, int prompts, double exactMatch, double answerAccuracy,
                             long attendedPairs, long causalPairs, double density, double decodeSeconds,
                             double prefillSeconds, String provider) {
    }
}
