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
 * @param attentionSeconds the part of {@code decodeSeconds} spent in attention: appending to the caches and the
 *                       decode calls
 * @param provider       the provider that ran the decode steps ({@code null} when none ran)
 * @param decodeSteps    token-by-token steps run (the first new token comes from the prompt's pass)
 */
public record GenerationResult(int[] tokens, int batch, int length, long attendedPairs, long causalPairs,
                               double prefillSeconds, double decodeSeconds, double attentionSeconds,
                               String provider, int decodeSteps) {

    /** Generated tokens per second of the decode steps, over the batch ({@code NaN} when no step ran). */
    public double tokensPerSecond() {
        return decodeSeconds > 0 ? batch * (double) decodeSteps / decodeSeconds : Double.NaN;
    }

    /** The share of the decode steps' time spent in attention. */
    public double attentionShare() {
        return decodeSeconds > 0 ? attentionSeconds / decodeSeconds : Double.NaN;
    }

    /** Attended pairs over causal pairs. */
    public double density() {
        return causalPairs == 0 ? 0 : attendedPairs / (double) causalPairs;
    }

    /** Token {@code t} of sequence {@code b}. */
    public int token(int b, int t) {
        return tokens[b * length + t];
    }
}
