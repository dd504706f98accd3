package org.attn4j.examples.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.ProviderInfo;
import org.attn4j.ProviderRegistry;
import org.attn4j.Tensor;
import org.attn4j.mask.StaticMask;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The plugin side: discovery, selection by name, and work that grows with the window, not with Nk. */
class WindowAttentionProviderTest {

    private static Tensor random(long seed, int... shape) {
        Random rnd = new Random(seed);
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return Tensor.of(x, shape);
    }

    @Test
    void serviceLoaderFindsItAndDiagnosticsListIt() {
        assertTrue(Attention.registry().find(WindowAttentionProvider.NAME).isPresent());
        ProviderInfo info = Attention.diagnostics().stream()
                .filter(i -> i.name().equals(WindowAttentionProvider.NAME)).findFirst().orElseThrow();
        assertTrue(info.available(), info::toString);
        assertEquals(10, info.priority());
    }

    @Test
    void selectedByNameAndBySystemProperty() {
        try (Tensor q = random(1, 1, 2, 32, 16); Tensor k = random(2, 1, 2, 32, 16); Tensor v = random(3, 1, 2, 32, 16)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).causal().window(8, 0).build();
            try (AttentionResult res = Attention.forward(r, WindowAttentionProvider.NAME)) {
                assertEquals(WindowAttentionProvider.NAME, res.provider());
            }
            String before = System.getProperty(ProviderRegistry.PROPERTY);
            System.setProperty(ProviderRegistry.PROPERTY, WindowAttentionProvider.NAME);
            try {
                assertEquals(WindowAttentionProvider.NAME, Attention.select(r).name());
            } finally {
                if (before == null) {
                    System.clearProperty(ProviderRegistry.PROPERTY);
                } else {
                    System.setProperty(ProviderRegistry.PROPERTY, before);
                }
            }
        }
    }

    @Test
    void neverDisplacesTheCpuProviderInAutomaticSelection() {
        AttentionProvider cpuLike = new AttentionProvider() {
            @Override
            public String name() {
                return "cpu";
            }

            @Override
            public int priority() {
                return 100; // the project's cpu provider
            }

            @Override
            public Availability availability() {
                return Availability.available();
            }

            @Override
            public Capabilities capabilities() {
                return Capabilities.everything();
            }

            @Override
            public AttentionResult forward(AttentionRequest request) {
                throw new UnsupportedOperationException("selection only");
            }

            @Override
            public org.attn4j.AttentionGradients backward(org.attn4j.BackwardRequest request) {
                throw new UnsupportedOperationException("selection only");
            }
        };
        try (Tensor q = random(1, 1, 1, 8, 8); Tensor k = random(2, 1, 1, 8, 8); Tensor v = random(3, 1, 1, 8, 8)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).window(2, 0).build();
            ProviderRegistry registry = ProviderRegistry.of(new WindowAttentionProvider(), cpuLike);
            Assumptions.assumeTrue(ProviderRegistry.configuredName().isEmpty(),
                    "a provider is forced by -Dattn4j.provider or ATTN4J_PROVIDER: no automatic selection");
            assertEquals("cpu", registry.select(r).name());
        }
    }

    @Test
    void visitsOnlyTheKeysInEachWindow() {
        int n = 2048;
        try (Tensor q = random(1, 1, 2, n, 16); Tensor k = random(2, 1, 2, n, 16); Tensor v = random(3, 1, 2, n, 16)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).causal().window(63, 0).globalTokens(2).build();
            try (AttentionResult res = new WindowAttentionProvider().forward(r)) {
                long visited = res.allowedPairs().orElseThrow();
                StaticMask mask = StaticMask.of(r);
                assertEquals(mask.countAllowed(0, 0) + mask.countAllowed(0, 1), visited);
                // 2 heads x about 2048 x (64 + 2) keys, against 2 x 2048 x 2048 / 2 for causal attention.
                assertTrue(visited < 2L * n * 66, "visited " + visited);
            }
        }
    }

    @Test
    void refusesWhatItDoesNotDeclare() {
        try (Tensor q = random(1, 1, 1, 8, 8); Tensor k = random(2, 1, 1, 8, 8); Tensor v = random(3, 1, 1, 8, 8)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WindowAttentionProvider()
                    .forward(AttentionRequest.builder(q, k, v).topKTokens(2).build()));
            assertTrue(e.getMessage().contains("dynamic token top-k"), e.getMessage());
        }
    }
}
