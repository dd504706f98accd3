package org.attn4j.model.nn.simd;

import org.attn4j.model.nn.Bf16;

/** {@link Bf16Kernel} one value at a time. */
public final class PlainBf16Kernel implements Bf16Kernel {
    @Override
    public void round(float[] x, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            x[i] = Bf16.round(x[i]);
        }
    }
}
