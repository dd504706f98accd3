package org.attn4j.model.gpt;

import org.attn4j.model.nn.Bf16;
import org.attn4j.model.nn.Parallel;

/**
 * Dropout on the attention weights (GPT-2's {@code attn_dropout}): {@code O = (P * M) V}, with {@code P} the softmax
 * probabilities the provider returned and {@code M} the dropout mask (0 or {@code 1/(1-p)}). The attention SPI has
 * no dropout, so a layer that drops weights takes {@code P} from the provider and does the product and the backward
 * pass here, with softmax's Jacobian:
 * <pre>
 *   dV_j  = sum_i (P*M)_ij dO_i
 *   dP_ij = M_ij (dO_i . V_j)
 *   dS_ij = P_ij (dP_ij - sum_l P_il dP_il)
 *   dQ_i  = scale sum_j dS_ij K_j,   dK_j = scale sum_i dS_ij Q_i
 * </pre>
 * All arrays are {@code [B*H, T, ...]}: probabilities and masks {@code [B*H, T, T]}, Q/K/V and their gradients
 * {@code [B*H, T, Dh]}. Rows are causal (key {@code j <= i}); weights the provider masked out are 0 and stay 0.
 */
final class AttentionDropout {
    private AttentionDropout() {
    }

    /**
     * {@code dropped = P * M} (rounded to bf16 when asked, as PyTorch's bf16 model stores it) and
     * {@code out = dropped V}.
     */
    static void forward(float[] probs, float[] mask, float[] v, float[] dropped, float[] out, int bh, int t,
                        int dh, boolean bf16, Parallel par) {
        par.forRange(bh, 1, (lo, hi) -> {
            for (int g = lo; g < hi; g++) {
                int po = g * t * t;
                int vo = g * t * dh;
                for (int i = 0; i < t; i++) {
                    int row = po + i * t;
                    int oo = vo + i * dh;
                    for (int c = 0; c < dh; c++) {
                        out[oo + c] = 0f;
                    }
                    for (int j = 0; j <= i; j++) {
                        float w = probs[row + j] * mask[row + j];
                        if (bf16) {
                            w = Bf16.round(w);
                        }
                        dropped[row + j] = w;
                        if (w == 0f) {
                            continue;
                        }
                        int jo = vo + j * dh;
                        for (int c = 0; c < dh; c++) {
                            out[oo + c] += w * v[jo + c];
                        }
                    }
                    for (int j = i + 1; j < t; j++) {
                        dropped[row + j] = 0f;
                    }
                }
            }
        });
    }

    /** The gradients {@code dq, dk, dv} (overwritten) of {@link #forward}'s output given {@code dOut}. */
    static void backward(float[] probs, float[] mask, float[] dropped, float[] q, float[] k, float[] v,
                         float[] dOut, float scale, float[] dq, float[] dk, float[] dv, int bh, int t, int dh,
                         Parallel par) {
        par.forRange(bh, 1, (lo, hi) -> {
            float[] dS = new float[t];
            for (int g = lo; g < hi; g++) {
                int po = g * t * t;
                int vo = g * t * dh;
                for (int x = vo; x < vo + t * dh; x++) {
                    dq[x] = 0f;
                    dk[x] = 0f;
                    dv[x] = 0f;
                }
                for (int i = 0; i < t; i++) {
                    int row = po + i * t;
                    int io = vo + i * dh;
                    double rowDot = 0;
                    for (int j = 0; j <= i; j++) {
                        int jo = vo + j * dh;
                        float w = dropped[row + j];
                        if (w != 0f) {
                            for (int c = 0; c < dh; c++) {
                                dv[jo + c] += w * dOut[io + c];
                            }
                        }
                        float dp = 0f;
                        if (mask[row + j] != 0f && probs[row + j] != 0f) {
                            for (int c = 0; c < dh; c++) {
                                dp += dOut[io + c] * v[jo + c];
                            }
                            dp *= mask[row + j];
                        }
                        dS[j] = dp;
                        rowDot += (double) probs[row + j] * dp;
                    }
                    for (int j = 0; j <= i; j++) {
                        float s = probs[row + j] * (dS[j] - (float) rowDot) * scale;
                        if (s == 0f) {
                            continue;
                        }
                        int jo = vo + j * dh;
                        for (int c = 0; c < dh; c++) {
                            dq[io + c] += s * k[jo + c];
                            dk[jo + c] += s * q[io + c];
                        }
                    }
                }
            }
        });
    }
}
