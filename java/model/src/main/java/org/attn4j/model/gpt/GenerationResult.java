package org.attn4j.model.gpt;

/**
 * What {@link Generator#generate} returns.
 *
 * @param tokens         {@code [batch, promptLength + newTokens]}: prompts followed by the generated tokens
 * @param batch          sequences
 * @param length         {@code promptLength + newTokens}
 * @param attendedPairs  (query, key) pairs attended while generating, summed over layers, heads and the batch; the
 *                       prompt's own pass is not counted
 * @param causalPairs    the pairs plain causal attention would have attended for the same tokens
 * @param prefillSeconds time of the prompt's forward pass
 * @param decodeSeconds  time of the token-by-token steps
 */
public record GenerationResult(int[] tokens, int batch, int length, long attendedPairs, long causalPairs,
                               double prefillSeconds, double decodeSeconds) {

    /** Attended pairs over causal pairs. */
    public double density() {
        return causalPairs == 0 ? 0 : attendedPairs / (double) causalPairs;
    }

    /** Token {@code t} of sequence {@code b}. */
    public int token(int b, int t) {
        return tokens[b * length + t];
    }
}
