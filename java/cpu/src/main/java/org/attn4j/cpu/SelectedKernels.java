package org.attn4j.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import org.attn4j.cpu.simd.SimdSupport;
import org.attn4j.cpu.simd.TileKernels;
import org.attn4j.cpu.simd.VectorWarmUp;

/**
 * The {@link TileKernels} the forward and backward passes use, chosen on first use ({@link SimdSupport}): with the
 * Vector API module and {@code attn4j.cpu.simd=auto}, the plain kernels until the vector ones run compiled, then the
 * vector ones. Both give the same bits, so a call never shows which ran.
 *
 * <p>The warm-up ({@link VectorWarmUp}) starts when the first call has returned, not before: on two cores it would
 * take one from that call (a process that makes one call, as {@code ./attn4j run} does, is done by then), and a
 * program that makes many calls gets the vector kernels a moment later.
 */
public final class SelectedKernels {
    private static volatile TileKernels current;
    /** The vector kernels waiting for their warm-up, or null. */
    private static volatile TileKernels pending;
    private static final AtomicBoolean WARM_UP_STARTED = new AtomicBoolean();

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

    /** A forward or backward call has returned: time to warm the vector kernels up, if they wait for it. */
    static void callReturned() {
        TileKernels vector = pending;
        if (vector != null && WARM_UP_STARTED.compareAndSet(false, true)) {
            VectorWarmUp.start(vector, warm -> {
                current = warm;
                pending = null;
            });
        }
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
            pending = chosen;
            current = plain;
        }
        return current;
    }
}
