package org.attn4j.model.nn.simd;

/**
 * The loops of dropout on the attention weights ({@code org.attn4j.model.gpt.AttentionDropout}, which holds the
 * formulas) over the groups {@code lo <= g < hi} of {@code [B*H, T, ...]} arrays. Every implementation adds the same
 * products in the same order into every output element as {@link PlainAttentionDropoutKernel}, so they give the same
 * bits ({@code AttentionDropoutKernelTest}).
 */
public interface AttentionDropoutKernel {
    /**
     * {@code dropped = P * M} (rounded to bf16 when {@code bf16}) and {@code out = dropped V}, both overwritten;
     * {@code dropped} is 0 above the diagonal.
     */
    void forward(float[] probs, float[] mask, float[] v, float[] dropped, float[] out, int lo, int hi, int t,
                 int dh, boolean bf16);

    /** The gradients {@code dq, dk, dv} (overwritten) of {@link #forward}'s output given {@code dOut}. */
    void backward(float[] probs, float[] mask, float[] dropped, float[] q, float[] k, float[] v, float[] dOut,
                  float scale, float[] dq, float[] dk, float[] dv, int lo, int hi, int t, int dh);
}
