package org.attn4j.cpu;

import org.attn4j.conformance.ProviderConformanceTest;
import org.attn4j.spi.AttentionProvider;

/** The project's conformance kit on the {@code cpu} provider, with the SPEC's host tolerances. */
class CpuConformanceTest extends ProviderConformanceTest {
    @Override
    protected AttentionProvider provider() {
        return new CpuProvider();
    }
}
