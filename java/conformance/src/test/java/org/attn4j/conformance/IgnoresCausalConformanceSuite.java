package org.attn4j.conformance;

import org.attn4j.spi.AttentionProvider;

/**
 * The JUnit form of the kit on a provider that ignores causal masks. Run only by {@link JUnitIntegrationTest}
 * through the JUnit test kit: its name keeps Surefire from running it on its own (it must fail).
 */
class IgnoresCausalConformanceSuite extends ProviderConformanceTest {
    @Override
    protected AttentionProvider provider() {
        return new BrokenProvider("ignores-causal").rewritingRequest(r -> r.toBuilder().causal(false).build());
    }

    @Override
    protected boolean requireRegistration() {
        return false;
    }
}
