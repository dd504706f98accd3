package org.attn4j.model.alicot;

/**
 * A linear probe: L2-regularised logistic regression of a binary label on a hidden state, fitted by Newton's method
 * (iteratively reweighted least squares) on standardised features. It asks whether a value can be read linearly off
 * a state, whatever the model was trained to put there.
 */
public final class LinearProbe {
    private static final int MAX_ITERATIONS = 30;
    /** Regularisation on the standardised weights; small against the few hundred rows a probe fits. */
    static final double RIDGE = 1.0;
    private static final double BIAS_RIDGE = 1e-4;

    private final double[] mean;
    private final double[] scale;
    private final double[] weights; // [dim] then the bias

    private LinearProbe(double[] mean, double[] scale, double[] weights) {
        this.mean = mean;
        this.scale = scale;
        this.weights = weights;
    }

    /**
     * Fits rows {@code from .. to-1} of {@code features [rows, dim]} to {@code labels} (0 or 1).
     */
    public static LinearProbe fit(float[] features, int dim, int[] labels, int from, int to) {
        if (dim < 1) {
            throw new IllegalArgumentException("dim: expected >= 1, got " + dim);
        }
        if (from < 0 || to <= from || (long) to * dim > features.length || to > labels.length) {
            throw new IllegalArgumentException("rows: expected 0 <= from < to <= " + Math.min(labels.length,
                    features.length / dim) + ", got " + from + ".." + to);
        }
        int n = to - from;
        double[] mean = new double[dim];
        double[] scale = new double[dim];
        for (int r = from; r < to; r++) {
            for (int c = 0; c < dim; c++) {
                mean[c] += features[r * dim + c];
            }
        }
        for (int c = 0; c < dim; c++) {
            mean[c] /= n;
        }
        for (int r = from; r < to; r++) {
            for (int c = 0; c < dim; c++) {
                double v = features[r * dim + c] - mean[c];
                scale[c] += v * v;
            }
        }
        for (int c = 0; c < dim; c++) {
            double sd = Math.sqrt(scale[c] / n);
            scale[c] = sd > 1e-12 ? 1 / sd : 0;
        }
        int k = dim + 1;
        double[] w = new double[k];
        double[] x = new double[k];
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            double[] grad = new double[k];
            double[] hess = new double[k * k];
            for (int r = from; r < to; r++) {
                standardise(features, r, dim, mean, scale, x);
                double p = sigmoid(dot(w, x));
                double err = p - labels[r];
                double weight = Math.max(p * (1 - p), 1e-10);
                for (int i = 0; i < k; i++) {
                    grad[i] += err * x[i];
                    double wi = weight * x[i];
                    for (int j = 0; j <= i; j++) {
                        hess[i * k + j] += wi * x[j];
                    }
                }
            }
            for (int i = 0; i < k; i++) {
                double ridge = i < dim ? RIDGE : BIAS_RIDGE;
                grad[i] += ridge * w[i];
                hess[i * k + i] += ridge;
                for (int j = 0; j < i; j++) {
                    hess[j * k + i] = hess[i * k + j];
                }
            }
            double[] step = solve(hess, grad, k);
            double change = 0;
            for (int i = 0; i < k; i++) {
                w[i] -= step[i];
                change = Math.max(change, Math.abs(step[i]));
            }
            if (change < 1e-6) {
                break;
            }
        }
        return new LinearProbe(mean, scale, w);
    }

    /** Fits on the first half of the rows and returns the accuracy on the second half. */
    public static double heldOutAccuracy(float[] features, int dim, int[] labels) {
        int n = labels.length;
        if (n < 2) {
            throw new IllegalArgumentException("labels: expected at least 2 rows, got " + n);
        }
        int half = n / 2;
        return fit(features, dim, labels, 0, half).accuracy(features, dim, labels, half, n);
    }

    /** The predicted label of row {@code r}. */
    public int predict(float[] features, int dim, int r) {
        double[] x = new double[dim + 1];
        standardise(features, r, dim, mean, scale, x);
        return dot(weights, x) > 0 ? 1 : 0;
    }

    public double accuracy(float[] features, int dim, int[] labels, int from, int to) {
        int right = 0;
        for (int r = from; r < to; r++) {
            right += predict(features, dim, r) == labels[r] ? 1 : 0;
        }
        return (double) right / (to - from);
    }

    private static void standardise(float[] f, int r, int dim, double[] mean, double[] scale, double[] x) {
        for (int c = 0; c < dim; c++) {
            x[c] = (f[r * dim + c] - mean[c]) * scale[c];
        }
        x[dim] = 1;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /** Solves {@code A x = b} for a symmetric positive definite {@code A} by Cholesky. */
    private static double[] solve(double[] a, double[] b, int k) {
        double[] l = new double[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * k + j];
                for (int t = 0; t < j; t++) {
                    s -= l[i * k + t] * l[j * k + t];
                }
                l[i * k + j] = i == j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j * k + j];
            }
        }
        double[] y = new double[k];
        for (int i = 0; i < k; i++) {
            double s = b[i];
            for (int t = 0; t < i; t++) {
                s -= l[i * k + t] * y[t];
            }
            y[i] = s / l[i * k + i];
        }
        double[] x = new double[k];
        for (int i = k - 1; i >= 0; i--) {
            double s = y[i];
            for (int t = i + 1; t < k; t++) {
                s -= l[t * k + i] * x[t];
            }
            x[i] = s / l[i * k + i];
        }
        return x;
    }
}
