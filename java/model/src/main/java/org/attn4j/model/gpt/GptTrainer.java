package org.attn4j.model.gpt;

import org.attn4j.model.nn.AdamW;
import org.attn4j.model.nn.Bf16;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.LinearDecay;
import org.attn4j.model.nn.Parameter;

/**
 * Trains a {@link GptModel} on next-token prediction: cross-entropy over the labelled rows, full backward pass,
 * global gradient-norm clipping, AdamW with a linear decay of the learning rate to zero over the planned steps (the
 * Hugging Face Trainer's defaults, which the paper's reference code uses). A bf16 model's optimiser works in bf16
 * too ({@link AdamW}), as PyTorch's does for a model cast to bf16.
 */
public final class GptTrainer {
    private final GptModel model;
    private final AdamW optimizer;
    private final LinearDecay schedule;
    private final double clipNorm;
    private float[] dLogits = new float[0];
    private long step;
    private double lastGradNorm;

    /**
     * @param lr          peak learning rate
     * @param weightDecay decoupled weight decay (0: Adam)
     * @param clipNorm    maximum global gradient norm (0: no clipping)
     * @param totalSteps  steps over which the rate decays to zero
     */
    public GptTrainer(GptModel model, double lr, double weightDecay, double clipNorm, long totalSteps) {
        if (clipNorm < 0 || Double.isNaN(clipNorm)) {
            throw new IllegalArgumentException("clipNorm: expected >= 0, got " + clipNorm);
        }
        this.model = model;
        this.optimizer = AdamW.standard(model.parameters(), weightDecay, model.config().precision());
        this.schedule = new LinearDecay(lr, 0, totalSteps);
        this.clipNorm = clipNorm;
    }

    /**
     * One optimisation step on a mini-batch.
     *
     * @param tokens  {@code [batch * length]}
     * @param targets {@code [batch * length]}: the token each row must predict, or {@link CrossEntropy#IGNORE}
     * @return the mean loss over the labelled rows, before the update
     */
    public double step(int[] tokens, int[] targets, int batch, int length) {
        int rows = batch * length;
        int vocab = model.config().vocabSize();
        if (targets.length < rows) {
            throw new IllegalArgumentException("targets: expected " + rows + " values, got " + targets.length);
        }
        if (dLogits.length < rows * vocab) {
            dLogits = new float[rows * vocab];
        }
        model.zeroGrad();
        float[] logits = model.forward(tokens, batch, length, GptModel.Mode.TRAIN);
        double loss = CrossEntropy.lossAndGradient(logits, targets, rows, vocab, dLogits);
        if (Double.isNaN(loss)) {
            throw new IllegalArgumentException("targets: no labelled row in the batch");
        }
        model.backward(dLogits);
        lastGradNorm = AdamW.clipGradients(model.parameters(), clipNorm);
        if (model.bf16() && clipNorm > 0 && lastGradNorm > clipNorm) {
            // the clipped gradients are bf16 tensors again
            for (Parameter p : model.parameters()) {
                if (p.grad() != null) {
                    Bf16.round(p.grad(), p.size());
                }
            }
        }
        optimizer.step(schedule.at(step));
        step++;
        return loss;
    }

    public long steps() {
        return step;
    }

    /** The learning rate the next step will use. */
    public double learningRate() {
        return schedule.at(step);
    }

    /** Global gradient norm of the last step, before clipping. */
    public double lastGradientNorm() {
        return lastGradNorm;
    }
}
