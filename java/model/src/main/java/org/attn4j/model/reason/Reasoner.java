package org.attn4j.model.reason;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.attn4j.model.encdec.DecodeAttention;

/** A model that learns a {@link ReasoningTask}: the encoder-decoder or the decoder-only GPT. */
interface Reasoner extends AutoCloseable {
    /** One optimisation step on these problems; returns the loss before the update. */
    double trainStep(List<Problem> batch);

    /**
     * Teacher-forced predictions of every chain token and the end token, {@code [problems][cotLength + 1]}: the
     * cheap measure followed during training.
     */
    int[][] teacherForced(List<Problem> problems);

    /** Greedy generation of the chain through the model's caches, with the given attention at generation. */
    Reasoning generate(List<Problem> problems, DecodeAttention attention);

    long parameterCount();

    /** The provider that ran the attention. */
    String provider();

    void save(Path dir, java.util.Map<String, Object> task) throws IOException;

    @Override
    void close();

    /**
     * Generated chains and their cost.
     *
     * @param chains         {@code [problems][cotLength + 1]}: the tokens after the prompt
     * @param attendedPairs  (query, key) pairs attended, over every layer, head and problem
     * @param densePairs     what dense attention would have attended for the same tokens
     * @param byKind         attended and dense pairs per attention kind ({@code encoder, decoder, cross}, or
     *                       {@code prompt, decode} for the GPT), as {@code {attended, dense}}
     * @param encodeSeconds  the pass over the input (the encoder, or the GPT's prompt)
     * @param decodeSeconds  the token-by-token steps
     * @param meanSupport    mean count of tokens with a non-zero output probability
     */
    record Reasoning(int[][] chains, long attendedPairs, long densePairs, java.util.Map<String, long[]> byKind,
                     double encodeSeconds, double decodeSeconds, double meanSupport) {
    }
}
