package org.attn4j.model.nn.simd;

/**
 * Rounds {@code x[lo .. hi)} in place to bfloat16 as {@link org.attn4j.model.nn.Bf16#round(float)} rounds one value;
 * every implementation gives its bits ({@code Bf16KernelTest}).
 */
public interface Bf16Kernel {
    void round(float[] x, int lo, int hi);
}
