package org.attn4j.conformance;

import org.attn4j.Tensor;

/**
 * Where the kit puts the tensors a provider receives. The kit draws every input (and every caller-provided output,
 * filled with garbage first) as a host tensor; a provider that takes device tensors supplies a placement that copies
 * it to its device, for instance:
 *
 * <pre>{@code
 * TensorPlacement toGpu = host -> CudaTensors.copyOf(host, 0);
 * }</pre>
 *
 * The kit closes every tensor a placement returns (unless it is the host tensor itself) and reads results back with
 * {@link Tensor#copyTo}, which works for any {@link org.attn4j.spi.TensorStorage}.
 */
@FunctionalInterface
public interface TensorPlacement {

    /** Host tensors as they are: for providers that compute on host tensors. */
    TensorPlacement HOST = host -> host;

    /**
     * The tensor to hand to the provider in place of {@code host}: same type, shape and values. It may be
     * {@code host} itself. Ownership of a new tensor passes to the kit.
     */
    Tensor place(Tensor host);
}
