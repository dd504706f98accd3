package org.attn4j.conformance;

import org.attn4j.reference.ReferenceProvider;
import org.attn4j.spi.AttentionProvider;

/** The kit's JUnit form against the oracle itself: every case must pass or be an inapplicable error case. */
class ReferenceConformanceTest extends ProviderConformanceTest {
    @Override
    protected AttentionProvider provider() {
        return new ReferenceProvider();
    }
}
