package org.attn4j.torch;

import org.attn4j.conformance.ProviderConformanceTest;
import org.attn4j.spi.AttentionProvider;

/** The conformance kit on the torch peer: what it supports must match the reference like any provider. */
class TorchSdpaConformanceTest extends ProviderConformanceTest {
    @Override
    protected AttentionProvider provider() {
        return new TorchSdpaProvider();
    }
}
