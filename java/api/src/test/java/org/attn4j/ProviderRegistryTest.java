package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    /** A provider that only answers selection questions. */
    static final class Fake implements AttentionProvider {
        final String name;
        final int priority;
        final Availability availability;
        final Capabilities capabilities;

        Fake(String name, int priority, Availability availability, Capabilities capabilities) {
            this.name = name;
            this.priority = priority;
            this.availability = availability;
            this.capabilities = capabilities;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public Availability availability() {
            return availability;
        }

        @Override
        public Capabilities capabilities() {
            return capabilities;
        }

        @Override
        public AttentionResult forward(AttentionRequest request) {
            throw new UnsupportedOperationException("selection only");
        }

        @Override
        public AttentionGradients backward(BackwardRequest request) {
            throw new UnsupportedOperationException("selection only");
        }
    }

    private final Fake slowExact = new Fake("exact", 0, Availability.available(), Capabilities.everything());
    private final Fake fastFp16 = new Fake("gpu", 1000, Availability.available(), Capabilities.builder()
            .dtypes(EnumSet.of(DType.FP16)).build());
    private final Fake absent = new Fake("absent", 5000, Availability.unavailable("no driver"), Capabilities.everything());
    private final ProviderRegistry registry = ProviderRegistry.of(slowExact, fastFp16, absent);

    @AfterEach
    void clearProperty() {
        System.clearProperty(ProviderRegistry.PROPERTY);
    }

    private static AttentionRequest request(DType dtype) {
        Tensor x = Tensor.allocate(dtype, 1, 1, 4, 8);
        return AttentionRequest.builder(x, x, x).build();
    }

    @Test
    void picksTheHighestPriorityAvailableProviderThatSupportsTheRequest() {
        assertSame(fastFp16, registry.select(request(DType.FP16)));
        assertSame(slowExact, registry.select(request(DType.FP32)));
        assertEquals(List.of("absent", "gpu", "exact"), registry.names());
    }

    @Test
    void explicitNamesWinAndFailWithTheReason() {
        assertSame(slowExact, registry.select(request(DType.FP16), "EXACT"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> registry.select(request(DType.FP16), "nope"));
        assertTrue(unknown.getMessage().contains("'nope'") && unknown.getMessage().contains("absent, gpu, exact"),
                unknown.getMessage());
        // One rule: every bad selection is an IllegalArgumentException naming the provider, unavailable ones too.
        IllegalArgumentException unavailable = assertThrows(IllegalArgumentException.class,
                () -> registry.select(request(DType.FP16), "absent"));
        assertTrue(unavailable.getMessage().startsWith("provider 'absent' is unavailable: no driver"),
                unavailable.getMessage());
        IllegalArgumentException unsupported = assertThrows(IllegalArgumentException.class,
                () -> registry.select(request(DType.FP32), "gpu"));
        assertTrue(unsupported.getMessage().contains("dtype fp32 not supported (supports fp16)"), unsupported.getMessage());
    }

    @Test
    void systemPropertyOverridesAutomaticSelection() {
        System.setProperty(ProviderRegistry.PROPERTY, "exact");
        assertSame(slowExact, registry.select(request(DType.FP16)));
        assertTrue(registry.report().contains("forced to 'exact'"));
    }

    @Test
    void explainsWhyNothingFits() {
        ProviderRegistry onlyGpu = ProviderRegistry.of(fastFp16, absent);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> onlyGpu.select(request(DType.BF16)));
        assertTrue(e.getMessage().contains("absent: unavailable (no driver)"), e.getMessage());
        assertTrue(e.getMessage().contains("gpu: dtype bf16 not supported"), e.getMessage());
    }

    @Test
    void backwardPrefersTheForwardProviderAndNeedsBackwardSupport() {
        Fake other = new Fake("other", 10, Availability.available(), Capabilities.everything());
        ProviderRegistry r = ProviderRegistry.of(slowExact, other, fastFp16);
        assertSame(slowExact, r.selectBackward(request(DType.FP32), null, "exact"));
        assertSame(other, r.selectBackward(request(DType.FP32), null, null));
        // fastFp16 has no backward pass: the fp16 backward falls to the next provider.
        assertSame(other, r.selectBackward(request(DType.FP16), null, "gpu"));
    }

    @Test
    void diagnosticsListEveryProviderIncludingBrokenPlugins() {
        ProviderRegistry loaded = ProviderRegistry.load(getClass().getClassLoader());
        List<ProviderInfo> infos = loaded.diagnostics();
        assertTrue(infos.stream().anyMatch(i -> !i.available() && i.reason().startsWith("failed to load")),
                infos.toString());
        List<ProviderInfo> fakes = registry.diagnostics();
        assertEquals(3, fakes.size());
        ProviderInfo a = fakes.get(0);
        assertEquals("absent", a.name());
        assertFalse(a.available());
        assertEquals("no driver", a.reason());
        assertTrue(registry.report().contains("unavailable"));
    }

    @Test
    void capabilitiesExplainMismatches() {
        Capabilities caps = Capabilities.builder().dtypes(EnumSet.of(DType.FP16, DType.BF16))
                .headDims(java.util.Set.of(64, 128)).build();
        Tensor x = Tensor.allocate(DType.FP16, 1, 1, 4, 32);
        AttentionRequest r = AttentionRequest.builder(x, x, x).causal().build();
        assertEquals("mask 'causal' not supported (supports no masks)", caps.check(r).reason());
        AttentionRequest dense = AttentionRequest.builder(x, x, x).build();
        assertEquals("head dim 32 not supported (supports 64, 128)", caps.check(dense).reason());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> caps.require(dense, "gpu"));
        assertTrue(e.getMessage().startsWith("provider 'gpu': head dim 32"));
        assertFalse(caps.checkBackward(dense).isSupported());
    }
}
