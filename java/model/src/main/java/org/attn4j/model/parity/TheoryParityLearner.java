package org.attn4j.model.parity;

import java.io.IOException;
import java.nio.file.Path;
import org.attn4j.model.io.Checkpoint;
import org.attn4j.model.theory.HingeLoss;
import org.attn4j.model.theory.TheoryTransformer;

/**
 * The paper's simplified transformer on parity: hinge loss on the theory's rows, mini-batch SGD. As in the paper's
 * Assumption 2 the first steps may use their own, larger rate ({@code eta_0 = eta_1}: the first step aligns the FFN
 * with the secret embeddings, the second moves the attention onto the secrets) before the rest of training runs at
 * {@code lr} ({@code eta_2}).
 */
public final class TheoryParityLearner implements ParityLearner {
    private final TheoryTransformer model;
    private final double lr;
    private final double warmLr;
    private final int warmSteps;
    private long steps;

    /** Plain SGD at {@code lr}. */
    public TheoryParityLearner(TheoryTransformer model, double lr) {
        this(model, lr, lr, 0);
    }

    /** SGD at {@code warmLr} for the first {@code warmSteps} steps, then at {@code lr}. */
    public TheoryParityLearner(TheoryTransformer model, double lr, double warmLr, int warmSteps) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr: expected a finite number > 0, got " + lr);
        }
        if (!(warmLr > 0) || Double.isInfinite(warmLr)) {
            throw new IllegalArgumentException("theoryWarmLr: expected a finite number > 0, got " + warmLr);
        }
        if (warmSteps < 0) {
            throw new IllegalArgumentException("theoryWarmSteps: expected >= 0, got " + warmSteps);
        }
        this.model = model;
        this.lr = lr;
        this.warmLr = warmLr;
        this.warmSteps = warmSteps;
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
        model.sgdStep(steps < warmSteps ? warmLr : lr);
        steps++;
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
