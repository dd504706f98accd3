package org.attn4j.model.nn;

import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's {@code AdamW}: weight decay 0 gives Adam.
 * Decay applies only to parameters marked {@link Parameter#decayed()} (weight matrices), as GPT-2 training does.
 */
public final class AdamW {
    private final List<Parameter> parameters;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final float[][] m;
    private final float[][] v;
    private long steps;

    public AdamW(List<Parameter> parameters, double beta1, double beta2, double eps, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1: expected 0 <= beta1 < 1, got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2: expected 0 <= beta2 < 1, got " + beta2);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("eps: expected > 0, got " + eps);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weightDecay: expected >= 0, got " + weightDecay);
        }
        this.parameters = List.copyOf(parameters);
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        this.weightDecay = (float) weightDecay;
        this.m = new float[this.parameters.size()][];
        this.v = new float[this.parameters.size()][];
        for (int i = 0; i < this.parameters.size(); i++) {
            Parameter p = this.parameters.get(i);
            if (p.trainable()) {
                m[i] = new float[p.size()];
                v[i] = new float[p.size()];
            }
        }
    }

    /** PyTorch's defaults with the given weight decay: betas (0.9, 0.999), eps 1e-8. */
    public static AdamW standard(List<Parameter> parameters, double weightDecay) {
        return new AdamW(parameters, 0.9, 0.999, 1e-8, weightDecay);
    }

    public long steps() {
        return steps;
    }

    /** One update with learning rate {@code lr} from the accumulated gradients (which it leaves untouched). */
    public void step(double lr) {
        steps++;
        float c1 = (float) (1.0 - Math.pow(beta1, steps));
        float c2 = (float) (1.0 - Math.pow(beta2, steps));
        float stepSize = (float) lr / c1;
        float sqrtC2 = (float) Math.sqrt(c2);
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            if (!p.trainable()) {
                continue;
            }
            float[] w = p.value();
            float[] g = p.grad();
            float[] mi = m[i];
            float[] vi = v[i];
            float decay = p.decayed() ? 1f - (float) lr * weightDecay : 1f;
            for (int j = 0; j < w.length; j++) {
                float gj = g[j];
                mi[j] = beta1 * mi[j] + (1f - beta1) * gj;
                vi[j] = beta2 * vi[j] + (1f - beta2) * gj * gj;
                float denom = (float) Math.sqrt(vi[j]) / sqrtC2 + eps;
                w[j] = w[j] * decay - stepSize * mi[j] / denom;
            }
        }
    }

    /**
     * Scales every gradient so that their global L2 norm is at most {@code maxNorm} (PyTorch's
     * {@code clip_grad_norm_}); returns the norm before clipping. {@code maxNorm <= 0} or infinite disables clipping.
     */
    public static double clipGradients(List<Parameter> parameters, double maxNorm) {
        double sq = 0;
        for (Parameter p : parameters) {
            float[] g = p.grad();
            if (g == null) {
                continue;
            }
            for (float x : g) {
                sq += (double) x * x;
            }
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && Double.isFinite(maxNorm) && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (Parameter p : parameters) {
                float[] g = p.grad();
                if (g == null) {
                    continue;
                }
                for (int j = 0; j < g.length; j++) {
                    g[j] *= scale;
                }
            }
        }
        return norm;
    }
}
