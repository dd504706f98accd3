package org.attn4j.model.nn;

import java.util.List;

/**
 * Layer normalisation over the last dimension, {@code y = (x - mean) / sqrt(var + eps) * gain + bias} with the biased
 * variance (as PyTorch). The forward pass saves each row's mean and reciprocal standard deviation for the backward.
 */
public final class LayerNorm {
    private final int dim;
    private final float eps;
    private final Parameter gain;
    private final Parameter bias;

    public LayerNorm(String name, int dim, float eps) {
        if (dim < 1) {
            throw new IllegalArgumentException(name + ".dim: expected >= 1, got " + dim);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException(name + ".eps: expected > 0, got " + eps);
        }
        this.dim = dim;
        this.eps = eps;
        this.gain = Parameter.bias(name + ".weight", dim);
        this.bias = Parameter.bias(name + ".bias", dim);
        gain.fill(1f);
    }

    public int dim() {
        return dim;
    }

    public Parameter gain() {
        return gain;
    }

    public Parameter bias() {
        return bias;
    }

    public List<Parameter> parameters() {
        return List.of(gain, bias);
    }

    public void reset() {
        gain.fill(1f);
        bias.fill(0f);
    }

    /** Normalises {@code rows} rows of {@code x} into {@code y}; {@code stats[2r]} = mean, {@code stats[2r+1]} = rstd. */
    public void forward(float[] x, int rows, float[] y, float[] stats, Parallel par) {
        final float[] g = gain.value();
        final float[] b = bias.value();
        par.forRange(rows, Math.max(1, 4096 / dim), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int o = r * dim;
                double sum = 0;
                for (int c = 0; c < dim; c++) {
                    sum += x[o + c];
                }
                float mean = (float) (sum / dim);
                double sq = 0;
                for (int c = 0; c < dim; c++) {
                    float d = x[o + c] - mean;
                    sq += d * d;
                }
                float rstd = (float) (1.0 / Math.sqrt(sq / dim + eps));
                if (stats != null) {
                    stats[2 * r] = mean;
                    stats[2 * r + 1] = rstd;
                }
                for (int c = 0; c < dim; c++) {
                    y[o + c] = (x[o + c] - mean) * rstd * g[c] + b[c];
                }
            }
        });
    }

    /**
     * Given the forward input {@code x}, its saved {@code stats} and {@code dy}, writes {@code dx} and accumulates the
     * gain and bias gradients (summed per chunk, then in chunk order, so the result is reproducible).
     */
    public void backward(float[] x, float[] stats, float[] dy, int rows, float[] dx, Parallel par) {
        final float[] g = gain.value();
        final int minRows = Math.max(1, 4096 / dim);
        final int chunks = par.chunks(rows, minRows);
        final float[][] partial = new float[chunks][2 * dim];
        par.forChunks(rows, minRows, (chunk, lo, hi) -> {
            float[] acc = partial[chunk];
            for (int r = lo; r < hi; r++) {
                int o = r * dim;
                float mean = stats[2 * r];
                float rstd = stats[2 * r + 1];
                double sumDh = 0;
                double sumDhXh = 0;
                for (int c = 0; c < dim; c++) {
                    float xh = (x[o + c] - mean) * rstd;
                    float dh = dy[o + c] * g[c];
                    sumDh += dh;
                    sumDhXh += dh * xh;
                    acc[c] += dy[o + c] * xh;
                    acc[dim + c] += dy[o + c];
                }
                float meanDh = (float) (sumDh / dim);
                float meanDhXh = (float) (sumDhXh / dim);
                for (int c = 0; c < dim; c++) {
                    float xh = (x[o + c] - mean) * rstd;
                    float dh = dy[o + c] * g[c];
                    dx[o + c] = rstd * (dh - meanDh - xh * meanDhXh);
                }
            }
        });
        float[] dg = gain.grad();
        float[] db = bias.grad();
        for (float[] acc : partial) {
            for (int c = 0; c < dim; c++) {
                dg[c] += acc[c];
                db[c] += acc[dim + c];
            }
        }
    }
}
