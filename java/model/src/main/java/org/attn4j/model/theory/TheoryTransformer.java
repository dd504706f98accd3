package org.attn4j.model.theory;

import java.util.List;
import java.util.SplittableRandom;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;

/**
 * The one-layer simplified transformer of Wen et al. (Definition 6), trained with the hinge loss and plain SGD:
 * <pre>
 *   X = E(b)                                   frozen hypercube embeddings, one column per position
 *   A(X) = X softmax(C + X^T A X)              C: the causal mask; column i attends to keys j &lt;= i
 *   T(b) = h^T ReLU(W [X; A(X)])               DenseNet-style concatenation into a 2m-wide ReLU FFN
 * </pre>
 * {@code A [d, d]} and {@code W [2m, 2d]} are trained; {@code h} is fixed. The attention score of query {@code i}
 * and key {@code j} is {@code x_j^T A x_i}; because of the additive mask {@code C} and the bilinear form this
 * attention is computed here rather than through the attention providers.
 *
 * <p>Initialisation (Assumption 1): {@code A = 0}, the attention half of {@code W} is zero, the embedding half is
 * {@code W_r = sum_{i in initRows, b} nu(r, i, b) e(i, b)} with {@code nu} uniform in {@code {-eps, +eps}}, and
 * {@code h_r = 1/(2m)} for the first {@code m} neurons, {@code -1/(2m)} for the others.
 */
public final class TheoryTransformer {
    private final TheoryConfig config;
    private final HypercubeEmbedding embedding;
    private final Parameter attention;
    private final Parameter ffn;
    private final Parameter head;
    private final Parallel par;

    public TheoryTransformer(TheoryConfig config, long seed, Parallel par) {
        this.config = config;
        this.par = par;
        SplittableRandom random = new SplittableRandom(seed);
        int d = config.dim();
        int width = 2 * config.halfWidth();
        this.embedding = new HypercubeEmbedding(config.length(), d, random.split());
        this.attention = Parameter.weight("attention.A", d, d);
        this.ffn = Parameter.weight("ffn.W", width, 2 * d);
        this.head = Parameter.frozen("ffn.h", width);
        initialise(random);
    }

    private void initialise(SplittableRandom random) {
        int d = config.dim();
        int m = config.halfWidth();
        float eps = (float) config.epsilon();
        attention.fill(0f);
        ffn.fill(0f);
        float[] w = ffn.value();
        float[] e = embedding.table().value();
        for (int r = 0; r < 2 * m; r++) {
            for (int row : config.initRows()) {
                for (int bit = 0; bit < 2; bit++) {
                    float nu = random.nextBoolean() ? eps : -eps;
                    int eo = embedding.offset(row, bit);
                    for (int c = 0; c < d; c++) {
                        w[r * 2 * d + c] += nu * e[eo + c];
                    }
                }
            }
        }
        float[] h = head.value();
        for (int r = 0; r < 2 * m; r++) {
            h[r] = (r < m ? 1f : -1f) / (2f * m);
        }
    }

    public TheoryConfig config() {
        return config;
    }

    public HypercubeEmbedding embedding() {
        return embedding;
    }

    /** {@code A [d, d]}. */
    public Parameter attentionWeight() {
        return attention;
    }

    /** {@code W [2m, 2d]}. */
    public Parameter ffnWeight() {
        return ffn;
    }

    /** {@code h [2m]} (fixed). */
    public Parameter ffnHead() {
        return head;
    }

    /** Every tensor of the model, trainable or not, in checkpoint order. */
    public List<Parameter> parameters() {
        return List.of(embedding.table(), attention, ffn, head);
    }

    /**
     * The outputs {@code T(b)[i]} for every row, and the attention weights when {@code probabilities} is not null.
     *
     * @param tokens        {@code [batch * length]} bits
     * @param outputs       {@code [batch * length]}
     * @param probabilities {@code [batch, 1, length, length]} (row {@code i}: the weights of query {@code i}), or null
     */
    public void forward(int[] tokens, int batch, int length, float[] outputs, float[] probabilities) {
        check(tokens, batch, length);
        par.forRange(batch, 4, (lo, hi) -> {
            Workspace w = new Workspace(config, length);
            for (int b = lo; b < hi; b++) {
                w.forward(tokens, b, length);
                System.arraycopy(w.out, 0, outputs, b * length, length);
                if (probabilities != null) {
                    System.arraycopy(w.p, 0, probabilities, b * length * length, length * length);
                }
            }
        });
    }

    /**
     * Accumulates into {@code gradA} and {@code gradW} the gradient of the mean over the batch of the summed hinge
     * losses of the labelled rows, and returns that loss.
     *
     * @param targets {@code [batch * length]}: the bit row {@code i} must output, or {@code -1}
     */
    public double lossAndGradient(int[] tokens, int[] targets, int batch, int length) {
        check(tokens, batch, length);
        int chunks = par.chunks(batch, 4);
        float[][] partA = new float[chunks][];
        float[][] partW = new float[chunks][];
        double[] partLoss = new double[chunks];
        float scale = 1f / batch;
        par.forChunks(batch, 4, (chunk, lo, hi) -> {
            Workspace w = new Workspace(config, length);
            float[] ga = new float[attention.size()];
            float[] gw = new float[ffn.size()];
            double loss = 0;
            for (int b = lo; b < hi; b++) {
                w.forward(tokens, b, length);
                loss += w.backward(targets, b, length, scale, ga, gw);
            }
            partA[chunk] = ga;
            partW[chunk] = gw;
            partLoss[chunk] = loss;
        });
        float[] gradA = attention.grad();
        float[] gradW = ffn.grad();
        double loss = 0;
        for (int c = 0; c < chunks; c++) {
            for (int i = 0; i < gradA.length; i++) {
                gradA[i] += partA[c][i];
            }
            for (int i = 0; i < gradW.length; i++) {
                gradW[i] += partW[c][i];
            }
            loss += partLoss[c];
        }
        return loss / batch;
    }

    /** Plain SGD: {@code w -= lr * grad} for {@code A} and {@code W}, then clears the gradients. */
    public void sgdStep(double lr) {
        for (Parameter p : List.of(attention, ffn)) {
            float[] v = p.value();
            float[] g = p.grad();
            for (int i = 0; i < v.length; i++) {
                v[i] -= (float) lr * g[i];
            }
            p.zeroGrad();
        }
    }

    public void zeroGrad() {
        attention.zeroGrad();
        ffn.zeroGrad();
    }

    private void check(int[] tokens, int batch, int length) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch: expected >= 1, got " + batch);
        }
        if (length < 1 || length > config.length()) {
            throw new IllegalArgumentException("length: expected 1.." + config.length() + ", got " + length);
        }
        if (tokens.length < batch * length) {
            throw new IllegalArgumentException("tokens: expected " + batch * length + " bits, got " + tokens.length);
        }
        for (int i = 0; i < batch * length; i++) {
            if (tokens[i] != 0 && tokens[i] != 1) {
                throw new IllegalArgumentException("tokens[" + i + "]: expected a bit (0 or 1), got " + tokens[i]);
            }
        }
    }

    /** Per-thread buffers for one sequence. */
    private final class Workspace {
        final int d;
        final int width;
        final float[] x;
        final float[] q;
        final float[] p;
        final float[] a;
        final float[] pre;
        final float[] out;
        final float[] da;
        final float[] dp;
        final float[] dq;

        Workspace(TheoryConfig c, int length) {
            d = c.dim();
            width = 2 * c.halfWidth();
            x = new float[length * d];
            q = new float[length * d];
            p = new float[length * length];
            a = new float[length * d];
            pre = new float[length * width];
            out = new float[length];
            da = new float[d];
            dp = new float[length];
            dq = new float[d];
        }

        void forward(int[] tokens, int b, int length) {
            float[] e = embedding.table().value();
            float[] aw = attention.value();
            float[] w = ffn.value();
            float[] h = head.value();
            for (int i = 0; i < length; i++) {
                System.arraycopy(e, embedding.offset(i, tokens[b * length + i]), x, i * d, d);
            }
            for (int i = 0; i < length; i++) {
                // q_i = A x_i, so that score(i, j) = x_j . q_i = x_j^T A x_i.
                for (int r = 0; r < d; r++) {
                    float acc = 0;
                    for (int c = 0; c < d; c++) {
                        acc += aw[r * d + c] * x[i * d + c];
                    }
                    q[i * d + r] = acc;
                }
                float max = Float.NEGATIVE_INFINITY;
                int po = i * length;
                for (int j = 0; j <= i; j++) {
                    float s = 0;
                    for (int c = 0; c < d; c++) {
                        s += x[j * d + c] * q[i * d + c];
                    }
                    p[po + j] = s;
                    max = Math.max(max, s);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    float ex = (float) Math.exp(p[po + j] - max);
                    p[po + j] = ex;
                    sum += ex;
                }
                float inv = (float) (1.0 / sum);
                for (int j = 0; j < length; j++) {
                    p[po + j] = j <= i ? p[po + j] * inv : 0f;
                }
                for (int c = 0; c < d; c++) {
                    a[i * d + c] = 0f;
                }
                for (int j = 0; j <= i; j++) {
                    float pj = p[po + j];
                    for (int c = 0; c < d; c++) {
                        a[i * d + c] += pj * x[j * d + c];
                    }
                }
                float y = 0;
                for (int r = 0; r < width; r++) {
                    int wo = r * 2 * d;
                    float s = 0;
                    for (int c = 0; c < d; c++) {
                        s += w[wo + c] * x[i * d + c] + w[wo + d + c] * a[i * d + c];
                    }
                    pre[i * width + r] = s;
                    if (s > 0) {
                        y += h[r] * s;
                    }
                }
                out[i] = y;
            }
        }

        /** Backward of the last {@link #forward} for the labelled rows; returns the summed hinge loss. */
        double backward(int[] targets, int b, int length, float scale, float[] ga, float[] gw) {
            float[] w = ffn.value();
            float[] h = head.value();
            double loss = 0;
            for (int i = 0; i < length; i++) {
                int y = targets[b * length + i];
                if (y < 0) {
                    continue;
                }
                loss += HingeLoss.loss(out[i], y);
                float g = HingeLoss.gradient(out[i], y) * scale;
                if (g == 0f) {
                    continue;
                }
                java.util.Arrays.fill(da, 0f);
                for (int r = 0; r < width; r++) {
                    if (pre[i * width + r] <= 0) {
                        continue;
                    }
                    float dpre = g * h[r];
                    int wo = r * 2 * d;
                    for (int c = 0; c < d; c++) {
                        gw[wo + c] += dpre * x[i * d + c];
                        gw[wo + d + c] += dpre * a[i * d + c];
                        da[c] += dpre * w[wo + d + c];
                    }
                }
                int po = i * length;
                double dot = 0;
                for (int j = 0; j <= i; j++) {
                    float s = 0;
                    for (int c = 0; c < d; c++) {
                        s += da[c] * x[j * d + c];
                    }
                    dp[j] = s;
                    dot += p[po + j] * s;
                }
                java.util.Arrays.fill(dq, 0f);
                for (int j = 0; j <= i; j++) {
                    float ds = p[po + j] * (dp[j] - (float) dot);
                    if (ds == 0f) {
                        continue;
                    }
                    for (int c = 0; c < d; c++) {
                        dq[c] += ds * x[j * d + c];
                    }
                }
                // q_i = A x_i: dA[r, c] += dq[r] * x_i[c].
                for (int r = 0; r < d; r++) {
                    float dr = dq[r];
                    if (dr == 0f) {
                        continue;
                    }
                    for (int c = 0; c < d; c++) {
                        ga[r * d + c] += dr * x[i * d + c];
                    }
                }
            }
            return loss;
        }
    }
}
