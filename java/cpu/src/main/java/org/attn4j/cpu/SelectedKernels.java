package org.attn4j.cpu;

import org.attn4j.cpu.simd.SimdSupport;
import org.attn4j.cpu.simd.TileKernels;
import org.attn4j.cpu.simd.VectorWarmUp;

/**
 * The {@link TileKernels} the forward and backward passes use, chosen on first use ({@link SimdSupport}): with the
 * Vector API module and {@code attn4j.cpu.simd=auto}, the plain kernels until the vector ones run compiled
 * ({@link VectorWarmUp}), then the vector ones. Both give the same bits, so a call never shows which ran.
 */
public final class SelectedKernels {
    private static volatile TileKernels current;

    private SelectedKernels() {
    }

    /**
     * The kernels to use now.
     *
     * @throws IllegalArgumentException naming {@value SimdSupport#PROPERTY} when that property is invalid (asked
     *                                  again on every call until it is fixed)
     */
    public static TileKernels get() {
        TileKernels k = current;
        return k != null ? k : choose();
    }

    private static synchronized TileKernels choose() {
        if (current != null) {
            return current;
        }
        TileKernels plain = new ScalarTileKernels();
        TileKernels chosen = SimdSupport.choose(plain);
        if (chosen == plain || SimdSupport.immediate()) {
            current = chosen;
        } else {
            current = plain;
            VectorWarmUp.start(chosen, warm -> current = warm);
        }
        return current;
    }
}
