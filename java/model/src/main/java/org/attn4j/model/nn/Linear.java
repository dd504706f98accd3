package org.attn4j.model.nn;

import java.util.List;
import java.util.SplittableRandom;
import org.attn4j.model.nn.simd.LinearKernels;
import org.attn4j.model.nn.simd.ModelKernels;

/**
 * An affine map {@code y = x W + b} over rows, with {@code W [in, out]} stored input-major as GPT-2's {@code Conv1D}
 * does (so checkpoints load into Hugging Face's GPT-2 unchanged). Activations belong to the caller; this class holds
 * the weights and the math.
 *
 * <p>The products run in {@link LinearKernels} (the Vector API's when the JVM has it, else plain Java; the same
 * bits), over the weights viewed as rows; the input gradient uses a transposed copy of {@code W}. This class splits
 * the rows among threads and owns the bias.
 */
public final class Linear {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;
    private float[][] weightView;
    private float[][] gradView;
    private float[][] transposedView;

    public Linear(String name, int in, int out, boolean withBias) {
        if (in < 1) {
            throw new IllegalArgumentException(name + ".in: expected >= 1, got " + in);
        }
        if (out < 1) {
            throw new IllegalArgumentException(name + ".out: expected >= 1, got " + out);
        }
        this.in = in;
        this.out = out;
        this.weight = Parameter.weight(name + ".weight", in, out);
        this.bias = withBias ? Parameter.bias(name + ".bias", out) : null;
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or {@code null}. */
    public Parameter bias() {
        return bias;
    }

    public List<Parameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    /** GPT-2 initialisation: weights N(0, std^2), bias zero. */
    public void init(SplittableRandom random, double std) {
        weight.normal(random, std);
        if (bias != null) {
            bias.fill(0f);
        }
    }

    /** {@code y[rows, out] = x[rows, in] W + b}. */
    public void forward(float[] x, int rows, float[] y, Parallel par) {
        final float[][] w = weightRows();
        final float[] b = bias == null ? null : bias.value();
        final LinearKernels k = ModelKernels.linear();
        par.forRange(rows, minRows(), (lo, hi) -> k.forward(x, w, b, y, in, out, lo, hi));
    }

    /**
     * Accumulates {@code dW += x^T dy}, {@code db += sum dy} and, when {@code dx} is not null, writes
     * {@code dx = dy W^T}.
     */
    public void backward(float[] x, float[] dy, int rows, float[] dx, Parallel par) {
        final float[][] dwRows = gradRows();
        final LinearKernels k = ModelKernels.linear();
        // dW rows are split among threads: each thread owns W[i0..i1, :] and sums over every row in order.
        par.forRange(in, 4, (i0, i1) -> k.weightGradient(x, dy, dwRows, rows, in, out, i0, i1));
        float[] flat = weight.grad();
        for (int i = 0; i < in; i++) {
            float[] dw = dwRows[i];
            int wo = i * out;
            for (int o = 0; o < out; o++) {
                flat[wo + o] += dw[o];
            }
        }
        if (bias != null) {
            float[] db = bias.grad();
            float[] acc = new float[out];
            float[] g = new float[out];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(dy, r * out, g, 0, out);
                for (int o = 0; o < out; o++) {
                    acc[o] += g[o];
                }
            }
            for (int o = 0; o < out; o++) {
                db[o] += acc[o];
            }
        }
        if (dx != null) {
            inputGradient(dy, rows, dx, par);
        }
    }

    /** {@code dx[rows, in] = dy[rows, out] W^T}. */
    public void inputGradient(float[] dy, int rows, float[] dx, Parallel par) {
        final float[][] wt = transposedRows();
        final LinearKernels k = ModelKernels.linear();
        par.forRange(rows, minRows(), (lo, hi) -> k.inputGradient(dy, wt, dx, in, out, lo, hi));
    }

    /** The weights as rows {@code W[i, :]} (copied from the flat parameter, which optimisers update). */
    private float[][] weightRows() {
        if (weightView == null) {
            weightView = new float[in][out];
        }
        float[] w = weight.value();
        for (int i = 0; i < in; i++) {
            System.arraycopy(w, i * out, weightView[i], 0, out);
        }
        return weightView;
    }

    /** Per-row weight gradients of one call (the kernels overwrite them). */
    private float[][] gradRows() {
        if (gradView == null) {
            gradView = new float[in][out];
        }
        return gradView;
    }

    private float[][] transposedRows() {
        if (transposedView == null) {
            transposedView = new float[out][in];
        }
        float[] w = weight.value();
        for (int i = 0; i < in; i++) {
            int wo = i * out;
            for (int o = 0; o < out; o++) {
                transposedView[o][i] = w[wo + o];
            }
        }
        return transposedView;
    }

    /** Rows per chunk so that a chunk does at least ~32k multiply-adds. */
    private int minRows() {
        return Math.max(1, 32768 / Math.max(1, in * out));
    }
}
