package org.attn4j.bench.check;

import org.attn4j.DType;
import org.attn4j.Device;

/**
 * The relative error ({@code ||x - ref|| / ||ref||}) a result may have against the float64 reference. Forward: the
 * SPEC's bounds (fp32 1e-5 on a CPU, 1e-4 on a GPU; fp16 and bf16 1e-2). Backward (dQ, which goes through two more
 * matrix products and the normalizer's Jacobian): ten times the forward bound for fp32, 5e-2 for fp16 and bf16.
 */
public final class Tolerance {
    private Tolerance() {
    }

    public static double of(DType dtype, Device device, boolean backward) {
        boolean half = dtype != DType.FP32;
        if (half) {
            return backward ? 5e-2 : 1e-2;
        }
        double forward = device.isCpu() ? 1e-5 : 1e-4;
        return backward ? forward * 10 : forward;
    }
}
