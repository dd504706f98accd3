package org.attn4j.cuda;

import org.attn4j.conformance.ProviderConformanceTest;
import org.attn4j.spi.AttentionProvider;

/**
 * The conformance kit on {@code cuda} with host tensors (the provider copies them up and back). Where the provider is
 * unavailable the numeric cases are skipped with its reason; the contract and validation cases still run, since every
 * argument is checked in Java before anything reaches the GPU.
 */
class CudaConformanceTest extends ProviderConformanceTest {
    @Override
    protected AttentionProvider provider() {
        return new CudaProvider();
    }
}
