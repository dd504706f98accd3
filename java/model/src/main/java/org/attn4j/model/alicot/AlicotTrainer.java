package org.attn4j.model.alicot;

import java.util.Arrays;
import java.util.List;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.nn.AdamW;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.LinearDecay;

/**
 * Trains a {@link GptModel} on one mode of the task, with the optimisation of {@link org.attn4j.model.gpt.GptTrainer}
 * (mean cross-entropy over the labelled rows, global gradient-norm clipping, AdamW with a linear decay to zero):
 * the labelled rows are the answer, plus every chain token (explicit) or every thought's chunk state (aligned).
 * All modes share the model, the optimiser and the budget.
 */
public final class AlicotTrainer {
    private final GptModel model;
    private final DagVocabulary vocabulary;
    private final ReasoningLayout layout;
    private final AdamW optimizer;
    private final LinearDecay schedule;
    private final double clipNorm;
    private long step;

    public AlicotTrainer(GptModel model, DagVocabulary vocabulary, ReasoningLayout layout, double lr,
                         double weightDecay, double clipNorm, long totalSteps) {
        if (model.config().vocabSize() != vocabulary.size()) {
            throw new IllegalArgumentException("model: expected a vocabulary of " + vocabulary.size() + " tokens, got "
                    + model.config().vocabSize());
        }
        if (model.config().contextLength() < layout.length()) {
            throw new IllegalArgumentException("model: expected a context of at least " + layout.length()
                    + " positions, got " + model.config().contextLength());
        }
        if (!(clipNorm >= 0)) {
            throw new IllegalArgumentException("clipNorm: expected >= 0, got " + clipNorm);
        }
        this.model = model;
        this.vocabulary = vocabulary;
        this.layout = layout;
        this.optimizer = AdamW.standard(model.parameters(), weightDecay);
        this.schedule = new LinearDecay(lr, 0, totalSteps);
        this.clipNorm = clipNorm;
    }

    /** One optimisation step on {@code batch}; returns the mean loss over its labelled rows before the update. */
    public double step(List<BoolDag> batch) {
        double loss = lossAndGradients(batch);
        AdamW.clipGradients(model.parameters(), clipNorm);
        optimizer.step(schedule.at(step));
        step++;
        return loss;
    }

    /** Zeroes the gradients, then computes the loss of {@code batch} and accumulates its gradients. */
    public double lossAndGradients(List<BoolDag> batch) {
        Sequences s = sequences(batch);
        model.zeroGrad();
        int rows = batch.size() * layout.length();
        int vocab = model.config().vocabSize();
        float[] logits = run(s, GptModel.Mode.TRAIN);
        float[] dLogits = new float[rows * vocab];
        double loss = CrossEntropy.lossAndGradient(logits, s.targets, rows, vocab, dLogits);
        if (layout.mode().continuous()) {
            ContinuousThoughts.backward(model, dLogits, batch.size(), layout);
        } else {
            model.backward(dLogits);
        }
        return loss;
    }

    /** The loss of {@code batch} without gradients (no dropout). */
    public double loss(List<BoolDag> batch) {
        Sequences s = sequences(batch);
        float[] logits = run(s, GptModel.Mode.EVAL);
        return CrossEntropy.lossAndGradient(logits, s.targets, batch.size() * layout.length(),
                model.config().vocabSize(), null);
    }

    public long steps() {
        return step;
    }

    private float[] run(Sequences s, GptModel.Mode mode) {
        if (layout.mode().continuous()) {
            return ContinuousThoughts.forward(model, s.tokens, s.embeddings, s.batch, layout, mode);
        }
        return model.forward(s.tokens, s.batch, layout.length(), mode);
    }

    /** Tokens, targets and (for latent modes) the input rows of one batch. */
    record Sequences(int batch, int[] tokens, int[] targets, float[] embeddings) {
    }

    Sequences sequences(List<BoolDag> batch) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("batch: expected at least one problem, got none");
        }
        int len = layout.length();
        int p = layout.promptLength();
        int n = batch.size();
        int[] tokens = new int[n * len];
        int[] targets = new int[n * len];
        Arrays.fill(targets, CrossEntropy.IGNORE);
        for (int b = 0; b < n; b++) {
            BoolDag dag = batch.get(b);
            int o = b * len;
            vocabulary.prompt(dag, tokens, o);
            switch (layout.mode()) {
                case NONE -> { }
                case EXPLICIT -> {
                    int[] chain = vocabulary.chain(dag);
                    for (int i = 0; i < chain.length; i++) {
                        tokens[o + p + i] = chain[i];
                        targets[o + layout.reasoningRow(i)] = chain[i];
                    }
                }
                case LATENT, ALIGNED -> {
                    for (int j = 0; j < layout.latents(); j++) {
                        tokens[o + p + j] = GptModel.INPUT_EMBEDDING;
                        if (layout.mode() == AlicotMode.ALIGNED) {
                            targets[o + layout.reasoningRow(j)] = vocabulary.stateToken(dag, j);
                        }
                    }
                }
            }
            targets[o + layout.answerRow()] = dag.answer();
        }
        float[] embeddings = layout.mode().continuous() ? new float[n * len * model.config().dModel()] : null;
        return new Sequences(n, tokens, targets, embeddings);
    }
}
