package org.attn4j.model.gpt;

import org.attn4j.model.nn.ArrayLength;

/**
 * Everything one forward pass of a {@link GptModel} keeps for its backward pass, for one batch shape
 * {@code [batch, length]}, plus the scratch the backward pass needs. Reused from step to step.
 */
final class Activations implements AutoCloseable {
    final int batch;
    final int length;
    final int rows;
    final int[] tokens;
    final float[] embedded;
    final float[] embedMask;
    final Layer[] layers;
    final float[] lnf;
    final float[] lnfStats;
    final float[] logits;
    final float[] grad;
    final float[] scratch1;
    final float[] scratch2;
    final float[] scratch3;
    final float[] hiddenGrad;
    boolean embedDropped;
    boolean backwardReady;

    /** Activations of one block. */
    static final class Layer {
        final float[] ln1;
        final float[] ln1Stats;
        final float[] qkv;
        final float[] merged;
        final float[] attnOut;
        final float[] attnMask;
        final float[] mid;
        final float[] ln2;
        final float[] ln2Stats;
        final float[] fcPre;
        final float[] fcAct;
        final float[] fcSlope;
        final float[] mlpOut;
        final float[] mlpMask;
        final float[] out;
        final MultiHeadAttention.State attention;
        boolean attnDropped;
        boolean mlpDropped;

        Layer(int rows, int d, int hidden, boolean dropout, MultiHeadAttention.State attention) {
            ln1 = new float[rows * d];
            ln1Stats = new float[2 * rows];
            qkv = new float[rows * 3 * d];
            merged = new float[rows * d];
            attnOut = new float[rows * d];
            attnMask = dropout ? new float[rows * d] : null;
            mid = new float[rows * d];
            ln2 = new float[rows * d];
            ln2Stats = new float[2 * rows];
            fcPre = new float[rows * hidden];
            fcAct = new float[rows * hidden];
            fcSlope = new float[rows * hidden];
            mlpOut = new float[rows * d];
            mlpMask = dropout ? new float[rows * d] : null;
            out = new float[rows * d];
            this.attention = attention;
        }
    }

    Activations(GptModel model, int batch, int length) {
        GptConfig c = model.config();
        // The widest activation, before any of the int products below can overflow.
        long width = Math.max(3L * c.dModel(), Math.max(c.mlpHidden(), c.vocabSize()));
        ArrayLength.of(batch < 0 || length < 0 ? -1 : (long) batch * length * width, "batch/length", batch
                + " sequences x " + length + " positions x " + width + " values", "use a smaller batch or shorter"
                + " sequences");
        this.batch = batch;
        this.length = length;
        this.rows = batch * length;
        int d = c.dModel();
        boolean dropout = c.dropout() > 0;
        this.tokens = new int[rows];
        this.embedded = new float[rows * d];
        this.embedMask = dropout ? new float[rows * d] : null;
        this.layers = new Layer[c.layers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new Layer(rows, d, c.mlpHidden(), dropout,
                    model.blocks().get(l).attention().newState(batch, length));
        }
        this.lnf = new float[rows * d];
        this.lnfStats = new float[2 * rows];
        this.logits = new float[rows * c.vocabSize()];
        this.grad = new float[rows * d];
        this.scratch1 = new float[rows * d];
        this.scratch2 = new float[rows * d];
        this.scratch3 = new float[rows * d];
        this.hiddenGrad = new float[rows * c.mlpHidden()];
    }

    /** The input of block {@code l}. */
    float[] input(int l) {
        return l == 0 ? embedded : layers[l - 1].out;
    }

    float[] finalResidual() {
        return layers[layers.length - 1].out;
    }

    @Override
    public void close() {
        for (Layer l : layers) {
            l.attention.close();
        }
    }
}
