package org.attn4j.model.probe;

/**
 * What {@link ParityProbe} needs of a model: the scores of the token that ends each sequence, predicted from the row
 * before it (the answer of a parity sequence without CoT, the last partial parity with CoT). An interface so that the
 * probe's arithmetic can be checked on functions whose answers are known.
 */
public interface AnswerModel {
    /** Tokens the model scores (the logits per row). */
    int vocab();

    /**
     * @param tokens {@code batch} sequences of {@code length} tokens, {@code tokens[b * length + t]}
     * @return {@code [batch, vocab]}: the logits of row {@code length - 2} of each sequence
     */
    float[] answerLogits(int[] tokens, int batch, int length);
}
