package org.attn4j.examples.window;

import org.attn4j.conformance.ProviderConformanceTest;
import org.attn4j.spi.AttentionProvider;

/**
 * The whole conformance kit on the example provider. Everything it declares must pass; the rest (fp16, bf16,
 * sparsemax, entmax15, block masks, top-k, probabilities, backward) is skipped by the kit with the provider's reason,
 * and the error cases check that it refuses those with an IllegalArgumentException naming the field.
 */
class WindowAttentionConformanceTest extends ProviderConformanceTest {
    @Override
    protected AttentionProvider provider() {
        return new WindowAttentionProvider();
    }
}
