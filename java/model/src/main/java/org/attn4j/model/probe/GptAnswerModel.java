package org.attn4j.model.probe;

import org.attn4j.model.gpt.GptModel;

/** A GPT model as an {@link AnswerModel}: one evaluation forward pass, the answer row's logits copied out. */
public final class GptAnswerModel implements AnswerModel {
    private final GptModel model;

    public GptAnswerModel(GptModel model) {
        if (model == null) {
            throw new IllegalArgumentException("model: expected a GPT model, got null");
        }
        this.model = model;
    }

    @Override
    public int vocab() {
        return model.config().vocabSize();
    }

    @Override
    public float[] answerLogits(int[] tokens, int batch, int length) {
        int vocab = vocab();
        float[] logits = model.forward(tokens, batch, length, GptModel.Mode.EVAL);
        float[] answers = new float[batch * vocab];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(logits, (b * length + length - 2) * vocab, answers, b * vocab, vocab);
        }
        return answers;
    }
}
