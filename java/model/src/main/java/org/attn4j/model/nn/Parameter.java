package org.attn4j.model.nn;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A trainable (or frozen) weight: its values, the gradient accumulated by the backward pass, its shape and the name
 * it has in checkpoints.
 */
public final class Parameter {
    private final String name;
    private final int[] shape;
    private final float[] value;
    private final float[] grad;
    private final boolean trainable;
    private final boolean decayed;

    private Parameter(String name, int[] shape, boolean trainable, boolean decayed) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = shape.clone();
        long size = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 1) {
                throw new IllegalArgumentException(name + ".shape[" + i + "]: expected >= 1, got " + shape[i]);
            }
            size *= shape[i];
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + ".shape: " + Arrays.toString(shape) + " is too large");
        }
        this.value = new float[(int) size];
        this.grad = trainable ? new float[(int) size] : null;
        this.trainable = trainable;
        this.decayed = decayed;
    }

    /** A trainable weight matrix (weight decay applies to it). */
    public static Parameter weight(String name, int... shape) {
        return new Parameter(name, shape, true, true);
    }

    /** A trainable bias or normalisation gain (no weight decay, as in GPT-2 training). */
    public static Parameter bias(String name, int... shape) {
        return new Parameter(name, shape, true, false);
    }

    /** A frozen tensor: saved in checkpoints, never updated. */
    public static Parameter frozen(String name, int... shape) {
        return new Parameter(name, shape, false, false);
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return value.length;
    }

    /** The values, row-major (modified in place by optimizers and loaders). */
    public float[] value() {
        return value;
    }

    /** The accumulated gradient; {@code null} for frozen parameters. */
    public float[] grad() {
        return grad;
    }

    public boolean trainable() {
        return trainable;
    }

    /** Whether decoupled weight decay applies (matrices yes; biases, gains and embeddings of norms no). */
    public boolean decayed() {
        return decayed;
    }

    public void zeroGrad() {
        if (grad != null) {
            Arrays.fill(grad, 0f);
        }
    }

    public void fill(float v) {
        Arrays.fill(value, v);
    }

    /** Fills with N(0, std^2) draws. */
    public void normal(SplittableRandom random, double std) {
        for (int i = 0; i < value.length; i++) {
            value[i] = (float) (gaussian(random) * std);
        }
    }

    /** Copies values from {@code src}, which must have the same size. */
    public void set(float[] src) {
        if (src.length != value.length) {
            throw new IllegalArgumentException(name + ": expected " + value.length + " values, got " + src.length);
        }
        System.arraycopy(src, 0, value, 0, src.length);
    }

    /** A standard normal draw (Box-Muller; SplittableRandom has no nextGaussian before Java 17's RandomGenerator). */
    public static double gaussian(SplittableRandom random) {
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + (trainable ? "" : " (frozen)");
    }
}
