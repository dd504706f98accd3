package org.attn4j.model.parity;

import java.io.IOException;
import java.nio.file.Path;
import org.attn4j.model.io.Checkpoint;
import org.attn4j.model.theory.HingeLoss;
import org.attn4j.model.theory.TheoryTransformer;

/** The paper's simplified transformer on parity: hinge loss on the theory's rows, plain SGD at a constant rate. */
public final class TheoryParityLearner implements ParityLearner {
    private final TheoryTransformer model;
    private final double lr;

    public TheoryParityLearner(TheoryTransformer model, double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr: expected a finite number > 0, got " + lr);
        }
        this.model = model;
        this.lr = lr;
    }

    public TheoryTransformer model() {
        return model;
    }

    @Override
    public String kind() {
        return "theory";
    }

    @Override
    public int layers() {
        return 1;
    }

    @Override
    public int heads() {
        return 1;
    }

    @Override
    public int[] scoredRows(ParityTask task) {
        return task.theoryRows();
    }

    @Override
    public double train(int[] tokens, int[] targets, int batch, int length) {
        model.zeroGrad();
        double loss = model.lossAndGradient(tokens, targets, batch, length);
        model.sgdStep(lr);
        return loss;
    }

    @Override
    public Prediction predict(int[] tokens, int batch, int length, boolean attention) {
        float[] out = new float[batch * length];
        float[] probs = attention ? new float[batch * length * length] : null;
        model.forward(tokens, batch, length, out, probs);
        int[] next = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            next[i] = HingeLoss.predict(out[i]);
        }
        return new Prediction(next, attention ? new float[][] {probs} : null);
    }

    @Override
    public void save(Path dir, ParityTask task) throws IOException {
        Checkpoint.saveTheory(dir, model, task, lr);
    }

    @Override
    public String attentionBackend() {
        return "direct (softmax(C + X^T A X), not through a provider)";
    }

    @Override
    public void close() {
    }
}
