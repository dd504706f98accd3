package org.attn4j.cuda;

import org.attn4j.conformance.ProviderConformanceTest;
import org.attn4j.conformance.TensorPlacement;
import org.attn4j.spi.AttentionProvider;

/** The conformance kit on {@code cuda} with the inputs and caller-provided outputs in device memory. */
@RequiresCuda
class CudaDeviceTensorConformanceTest extends ProviderConformanceTest {
    @Override
    protected AttentionProvider provider() {
        return new CudaProvider();
    }

    @Override
    protected TensorPlacement placement() {
        return host -> CudaTensors.copyOf(host, 0);
    }
}
