package org.attn4j.cpu;

import org.attn4j.cpu.simd.SimdSupport;
import org.attn4j.cpu.simd.TileKernels;

/**
 * The {@link TileKernels} this JVM uses for the forward and backward passes, chosen on first use
 * ({@link SimdSupport}): every score of a call, and of its backward pass, comes from the same kernels, so
 * recomputed scores match.
 */
public final class SelectedKernels {
    private static volatile TileKernels chosen;

    private SelectedKernels() {
    }

    /**
     * The kernels in use.
     *
     * @throws IllegalArgumentException naming {@value SimdSupport#PROPERTY} when that property is invalid (asked
     *                                  again on every call until it is fixed)
     */
    public static TileKernels get() {
        TileKernels k = chosen;
        if (k == null) {
            k = SimdSupport.choose(new ScalarTileKernels());
            chosen = k; // a race chooses the same kernels twice
        }
        return k;
    }
}
