package org.attn4j.conformance;

import java.util.ArrayDeque;
import java.util.Deque;
import org.attn4j.DType;
import org.attn4j.Tensor;

/** The tensors and results one case creates, closed together (last first) when the case ends. */
final class TensorScope implements AutoCloseable {
    private final TensorPlacement placement;
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();

    TensorScope(TensorPlacement placement) {
        this.placement = placement;
    }

    /** A host tensor of {@code values}, rounded to {@code dtype}. */
    Tensor host(DType dtype, float[] values, int... shape) {
        return track(Tensor.of(dtype, values, shape));
    }

    /** A tensor of {@code values} where the provider wants it (see {@link TensorPlacement}). */
    Tensor placed(DType dtype, float[] values, int... shape) {
        return place(host(dtype, values, shape));
    }

    /** {@code host} where the provider wants it. */
    Tensor place(Tensor host) {
        Tensor placed = placement.place(host);
        if (placed == null) {
            throw new IllegalStateException("the TensorPlacement returned null for " + host.describe());
        }
        if (placed != host) {
            track(placed);
        }
        return placed;
    }

    /** Closes {@code resource} with this scope; returns it. */
    <T extends AutoCloseable> T track(T resource) {
        if (resource != null) {
            owned.push(resource);
        }
        return resource;
    }

    @Override
    public void close() {
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (Exception e) {
                // A provider's result that fails to close must not hide the case's own outcome.
            }
        }
    }
}
