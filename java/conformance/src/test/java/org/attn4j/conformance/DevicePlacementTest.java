package org.attn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.DType;
import org.junit.jupiter.api.Test;

/** The kit's path for providers that take device tensors, on a provider that poses as one. */
class DevicePlacementTest {
    private final FakeDeviceProvider provider = new FakeDeviceProvider();

    @Test
    void aProviderTakingCudaTensorsGetsTheGpuTolerances() {
        assertEquals(Tolerances.FP32_GPU, Tolerances.forProvider(provider).forward(DType.FP32));
        assertEquals(Tolerances.FP32_GPU * Tolerances.FP32_BACKWARD_FACTOR,
                Tolerances.forProvider(provider).backward(DType.FP32));
    }

    @Test
    void withAPlacementEveryCasePassesOnDeviceTensors() {
        ConformanceOptions o = ConformanceOptions.defaultsFor(provider).withPlacement(FakeDeviceProvider.PLACEMENT)
                .withRequireRegistration(false);
        List<ConformanceCase> cases = new ArrayList<>();
        for (CaseCategory c : CaseCategory.values()) {
            List<ConformanceCase> all = ConformanceKit.cases(provider, o, c);
            for (int i = 0; i < all.size(); i++) {
                // Every case of the small categories, a third of the others (and of the FlashAttention grid, whose
                // shapes are large): the path is what is tested here.
                boolean small = all.size() < 60 && c != CaseCategory.FLASH_ATTENTION_GRID;
                if (small || i % 3 == 0) {
                    cases.add(all.get(i));
                }
            }
        }
        ConformanceReport report = ConformanceKit.run(provider, cases);
        assertEquals(0, report.failed(), report::summary);
        for (CaseResult r : report.skips()) {
            // Decoding needs a native path or a forward pass on host tensors (the fallback's): this one has neither.
            boolean noDecode = r.category() == CaseCategory.KV_CACHE && r.message().contains("takes no host tensors");
            assertTrue(r.category() == CaseCategory.ERRORS || r.category() == CaseCategory.CONTRACT || noDecode,
                    r::toString);
        }
        assertTrue(report.results().stream().anyMatch(r -> r.passed()
                && r.name().startsWith("host tensors, which the provider does not take")), report::summary);
    }

    @Test
    void withoutAPlacementCasesAreSkippedWithAHint() {
        ConformanceOptions o = ConformanceOptions.defaultsFor(provider).withRequireRegistration(false);
        ConformanceReport report = ConformanceKit.run(provider,
                ConformanceKit.cases(provider, o, CaseCategory.FULLY_MASKED));
        assertEquals(report.results().size(), report.skipped(), report::summary);
        assertTrue(report.skips().get(0).message().contains("TensorPlacement"), report::summary);
    }
}
