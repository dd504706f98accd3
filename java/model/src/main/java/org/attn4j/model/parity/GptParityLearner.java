package org.attn4j.model.parity;

import java.io.IOException;
import java.nio.file.Path;
import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.gpt.GptTrainer;
import org.attn4j.model.io.Checkpoint;
import org.attn4j.model.nn.CrossEntropy;

/** The GPT decoder on parity: cross-entropy on every labelled token, AdamW with linear decay. */
public final class GptParityLearner implements ParityLearner {
    private final GptModel model;
    private final GptTrainer trainer;

    public GptParityLearner(GptModel model, GptTrainer trainer) {
        this.model = model;
        this.trainer = trainer;
    }

    public GptModel model() {
        return model;
    }

    public GptTrainer trainer() {
        return trainer;
    }

    @Override
    public String kind() {
        return "gpt";
    }

    @Override
    public int layers() {
        return model.config().layers();
    }

    @Override
    public int heads() {
        return model.config().heads();
    }

    @Override
    public int[] scoredRows(ParityTask task) {
        return task.labelRows();
    }

    @Override
    public double train(int[] tokens, int[] targets, int batch, int length) {
        return trainer.step(tokens, targets, batch, length);
    }

    @Override
    public Prediction predict(int[] tokens, int batch, int length, boolean attention) {
        float[] logits = model.forward(tokens, batch, length,
                attention ? GptModel.Mode.EVAL_WITH_ATTENTION : GptModel.Mode.EVAL);
        int vocab = model.config().vocabSize();
        int[] next = new int[batch * length];
        for (int r = 0; r < next.length; r++) {
            next[r] = CrossEntropy.argmax(logits, r, vocab);
        }
        float[][] probs = null;
        if (attention) {
            probs = new float[layers()][];
            for (int l = 0; l < probs.length; l++) {
                probs[l] = model.attentionProbabilities(l);
            }
        }
        return new Prediction(next, probs);
    }

    @Override
    public void save(Path dir, ParityTask task) throws IOException {
        Checkpoint.saveGpt(dir, model, task);
    }

    @Override
    public String attentionBackend() {
        String ran = model.attentionProvider(0);
        if (ran != null) {
            return ran;
        }
        GptConfig c = model.config();
        try (Tensor q = Tensor.allocate(DType.FP32, 1, c.heads(), 2, c.headDim())) {
            AttentionRequest r = c.attention().get(0).applyTo(AttentionRequest.builder(q, q, q)).build();
            return Attention.select(r).name();
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
