package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.ProviderRegistry;
import org.attn4j.Tensor;
import org.attn4j.mask.MaskKind;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Capabilities;
import org.junit.jupiter.api.Test;

class ProviderRegistrationTest {

    @Test
    void foundByServiceLoaderAndPreferredOverTheReference() {
        ProviderRegistry registry = ProviderRegistry.load();
        AttentionProvider cpu = registry.get("cpu");
        assertEquals(CpuProvider.class, cpu.getClass());
        assertEquals(100, cpu.priority());
        assertTrue(cpu.availability().isAvailable());
        Random rnd = new Random(1);
        try (Tensor q = Fixtures.randomTensor(rnd, DType.FP16, 1, 1, 2, 8, 8);
             Tensor k = Fixtures.randomTensor(rnd, DType.FP16, 1, 1, 2, 8, 8);
             Tensor v = Fixtures.randomTensor(rnd, DType.FP16, 1, 1, 2, 8, 8)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).topKTokens(3).build();
            assertEquals("cpu", registry.select(r).name());
            try (AttentionResult result = Attention.forward(r)) {
                assertEquals("cpu", result.provider());
            }
        }
    }

    @Test
    void promisesEverythingTheSpecDefines() {
        Capabilities c = new CpuProvider().capabilities();
        assertEquals(Capabilities.everything().summary(), c.summary());
        assertTrue(c.masks().containsAll(java.util.EnumSet.allOf(MaskKind.class)));
        assertTrue(c.hasBackward());
    }
}
