package org.attn4j.model.encdec;

import org.attn4j.model.nn.AdamW;
import org.attn4j.model.nn.LinearDecay;

/**
 * Trains an {@link EncDecModel} on its decoder's next tokens: the output layer's loss (cross-entropy, or the sparsemax
 * loss) over the labelled rows, the full backward pass through decoder, cross-attention and encoder, global
 * gradient-norm clipping, AdamW with a linear decay of the rate to zero (as the GPT trainer).
 */
public final class EncDecTrainer {
    private final EncDecModel model;
    private final AdamW optimizer;
    private final LinearDecay schedule;
    private final double clipNorm;
    private float[] dLogits = new float[0];
    private long step;

    public EncDecTrainer(EncDecModel model, double lr, double weightDecay, double clipNorm, long totalSteps) {
        if (clipNorm < 0 || Double.isNaN(clipNorm)) {
            throw new IllegalArgumentException("clipNorm: expected >= 0, got " + clipNorm);
        }
        this.model = model;
        this.optimizer = AdamW.standard(model.parameters(), weightDecay);
        this.schedule = new LinearDecay(lr, 0, totalSteps);
        this.clipNorm = clipNorm;
    }

    /**
     * One optimisation step.
     *
     * @param targets {@code [batch * length]}: the token each decoder row must predict, or
     *                {@link org.attn4j.model.nn.CrossEntropy#IGNORE}
     * @return the mean loss over the labelled rows, before the update
     */
    public double step(int[] input, int[] tokens, int[] targets, int batch, int inputLength, int length) {
        int rows = batch * length;
        int vocab = model.config().vocabSize();
        if (targets == null || targets.length != rows) {
            throw new IllegalArgumentException("targets: expected " + rows + " values, got "
                    + (targets == null ? "null" : targets.length));
        }
        if (dLogits.length != rows * vocab) {
            dLogits = new float[rows * vocab];
        }
        model.zeroGrad();
        float[] logits = model.forward(input, tokens, batch, inputLength, length, EncDecModel.Mode.TRAIN, null,
                null);
        double loss = model.config().output().loss(logits, targets, rows, vocab, dLogits);
        if (Double.isNaN(loss)) {
            throw new IllegalArgumentException("targets: no labelled row in the batch");
        }
        model.backward(dLogits);
        AdamW.clipGradients(model.parameters(), clipNorm);
        optimizer.step(schedule.at(step));
        step++;
        return loss;
    }

    public long steps() {
        return step;
    }
}
