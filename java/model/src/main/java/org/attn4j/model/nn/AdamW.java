package org.attn4j.model.nn;

import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's {@code AdamW}: weight decay 0 gives Adam.
 * Decay applies only to parameters marked {@link Parameter#decayed()} (weight matrices), as GPT-2 training does.
 *
 * <p>In {@link Precision#BF16} the weights, both moments and the intermediate tensors live in bf16, as they do when
 * PyTorch's AdamW (its multi-tensor path) steps a model cast to bf16: each elementary operation runs in float32 and
 * its result is rounded to bf16 ({@link Bf16}), in PyTorch's order: {@code m = lerp(m, g, 1 - beta1)},
 * {@code v = v * beta2}, {@code v = v + (1 - beta2) g^2}, {@code s = sqrt(v)}, {@code s = s / sqrt(c2)},
 * {@code s = s + eps}, {@code w = w - (lr / c1) m / s}. A change smaller than half a bf16 step is lost, so e.g.
 * {@code v * 0.999} rounds back to {@code v} and an update far below a weight's bf16 spacing leaves it unchanged.
 */
public final class AdamW {
    private final List<Parameter> parameters;
    private final float beta1;
    private final float beta2;
    private final double beta1d;
    private final double beta2d;
    private final float eps;
    private final float weightDecay;
    private final float[][] m;
    private final float[][] v;
    private final boolean bf16;
    private long steps;

    public AdamW(List<Parameter> parameters, double beta1, double beta2, double eps, double weightDecay) {
        this(parameters, beta1, beta2, eps, weightDecay, Precision.FP32);
    }

    public AdamW(List<Parameter> parameters, double beta1, double beta2, double eps, double weightDecay,
                 Precision precision) {
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
        this.beta1d = beta1;
        this.beta2d = beta2;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        this.weightDecay = (float) weightDecay;
        if (precision == null) {
            throw new IllegalArgumentException("precision: expected fp32 or bf16, got null");
        }
        this.bf16 = precision == Precision.BF16;
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

    /** PyTorch's defaults in the given precision. */
    public static AdamW standard(List<Parameter> parameters, double weightDecay, Precision precision) {
        return new AdamW(parameters, 0.9, 0.999, 1e-8, weightDecay, precision);
    }

    public long steps() {
        return steps;
    }

    /** Adam's first moment {@code m} of element {@code index} of parameter {@code parameter} (for tests). */
    float firstMoment(int parameter, int index) {
        return m[parameter][index];
    }

    /** Adam's second moment {@code v} of element {@code index} of parameter {@code parameter} (for tests). */
    float secondMoment(int parameter, int index) {
        return v[parameter][index];
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
            if (bf16) {
                stepBf16(w, g, mi, vi, lr, p.decayed());
                continue;
            }
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
     * One update of one tensor with every intermediate rounded to bf16, in PyTorch's order (see the class). The
     * scalars are PyTorch's: computed in double ({@code 1 - beta1}, {@code lr / (1 - beta1^t)},
     * {@code sqrt(1 - beta2^t)}) and handed to the float32 kernels, which compute {@code a + s * (b op c)} for
     * {@code addcmul} and {@code addcdiv}.
     */
    private void stepBf16(float[] w, float[] g, float[] mi, float[] vi, double lr, boolean decayed) {
        float lerpWeight = (float) (1.0 - beta1d);
        float b2 = (float) beta2d;
        float oneMinusBeta2 = (float) (1.0 - beta2d);
        float stepSize = (float) (lr / (1.0 - Math.pow(beta1d, steps)));
        float sqrtC2 = (float) Math.sqrt(1.0 - Math.pow(beta2d, steps));
        float decay = decayed ? (float) (1.0 - lr * weightDecay) : 1f;
        for (int j = 0; j < w.length; j++) {
            float gj = g[j];
            float wj = decay == 1f ? w[j] : Bf16.round(w[j] * decay);
            float mj = Bf16.round(mi[j] + lerpWeight * (gj - mi[j]));
            float vj = Bf16.round(vi[j] * b2);
            vj = Bf16.round(vj + oneMinusBeta2 * (gj * gj));
            float s = Bf16.round((float) Math.sqrt(vj));
            s = Bf16.round(s / sqrtC2);
            s = Bf16.round(s + eps);
            mi[j] = mj;
            vi[j] = vj;
            w[j] = Bf16.round(wj - stepSize * (mj / s));
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
