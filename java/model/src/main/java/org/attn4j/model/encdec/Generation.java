package org.attn4j.model.encdec;

/**
 * What {@link EncDecGenerator#generate} returns.
 *
 * @param tokens        {@code [batch, promptLength + newTokens]}: the prompts followed by the generated tokens
 * @param batch         problems
 * @param length        {@code promptLength + newTokens}
 * @param pairs         attended and dense-equivalent pairs of the encoder pass and every decode step
 * @param encodeSeconds the encoder pass and the projection of its keys and values for every cross-attention layer
 * @param decodeSeconds the token-by-token steps
 * @param meanSupport   mean number of tokens with a non-zero output probability over the generated tokens (the
 *                      vocabulary size under softmax)
 */
public record Generation(int[] tokens, int batch, int length, PairCounts pairs, double encodeSeconds,
                         double decodeSeconds, double meanSupport) {

    /** Token {@code t} of problem {@code b}. */
    public int token(int b, int t) {
        return tokens[b * length + t];
    }

    public double seconds() {
        return encodeSeconds + decodeSeconds;
    }
}
