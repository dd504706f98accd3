package org.attn4j.model.parity;

import java.io.IOException;
import java.nio.file.Path;

/** A model the parity experiments can train and probe: the GPT decoder or the paper's simplified transformer. */
public interface ParityLearner extends AutoCloseable {

    /** {@code gpt} or {@code theory}. */
    String kind();

    int layers();

    int heads();

    /** The rows whose next-token predictions are trained and scored (exact match needs all of them right). */
    int[] scoredRows(ParityTask task);

    /**
     * One optimisation step on a batch.
     *
     * @param targets {@code [batch * length]}: the token each row must predict, or -1 for unscored rows
     * @return the training loss of the batch, before the update
     */
    double train(int[] tokens, int[] targets, int batch, int length);

    /**
     * Teacher-forced predictions: {@code next[b * length + t]} is the token predicted after position {@code t}. With
     * {@code attention}, also the attention weights {@code [layer][batch, heads, length, length]}.
     */
    Prediction predict(int[] tokens, int batch, int length, boolean attention);

    /** Writes the weights ({@code model.safetensors}) and the configuration ({@code config.json}) into {@code dir}. */
    void save(Path dir, ParityTask task) throws IOException;

    /** The attention provider the model's last forward pass used, or a description for the theory model. */
    String attentionBackend();

    @Override
    void close();

    /** Output of {@link #predict}. */
    record Prediction(int[] next, float[][] attention) {
    }
}
