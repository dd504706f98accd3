package org.attn4j.model.gpt;

import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.simd.ModelKernels;

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
 * {@code [B*H, T, Dh]}. Rows are causal (key {@code j <= i}); weights the provider masked out are 0 and stay 0. The
 * loops are {@link ModelKernels#attentionDropout()}'s, one group ({@code B*H} index) per task.
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
        par.forRange(bh, 1, (lo, hi) -> ModelKernels.attentionDropout()
                .forward(probs, mask, v, dropped, out, lo, hi, t, dh, bf16));
    }

    /** The gradients {@code dq, dk, dv} (overwritten) of {@link #forward}'s output given {@code dOut}. */
    static void backward(float[] probs, float[] mask, float[] dropped, float[] q, float[] k, float[] v,
                         float[] dOut, float scale, float[] dq, float[] dk, float[] dv, int bh, int t, int dh,
                         Parallel par) {
        par.forRange(bh, 1, (lo, hi) -> ModelKernels.attentionDropout()
                .backward(probs, mask, dropped, q, k, v, dOut, scale, dq, dk, dv, lo, hi, t, dh));
    }
}
