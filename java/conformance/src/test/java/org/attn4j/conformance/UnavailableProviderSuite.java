package org.attn4j.conformance;

import org.attn4j.spi.AttentionProvider;

/** The JUnit form of the kit on a provider that cannot run here. Run only by {@link JUnitIntegrationTest}. */
class UnavailableProviderSuite extends ProviderConformanceTest {
    @Override
    protected AttentionProvider provider() {
        return new BrokenProvider("absent").unavailable("no such device on this machine");
    }
}
