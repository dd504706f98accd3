package org.attn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.spi.Capabilities;
import org.junit.jupiter.api.Test;

/** The FlashAttention grid category: what its sample covers, what it skips, and the bug it was added for. */
class FlashAttentionGridTest {
    private static final ReferenceProvider REFERENCE = new ReferenceProvider();

    private static List<String> names(org.attn4j.spi.AttentionProvider p) {
        return ConformanceKit.cases(p, ConformanceOptions.defaultsFor(p).withRequireRegistration(false),
                CaseCategory.FLASH_ATTENTION_GRID).stream().map(ConformanceCase::name).collect(Collectors.toList());
    }

    @Test
    void theSampleCoversEveryPairDimLayoutAndMask() {
        List<String> names = names(REFERENCE);
        for (int p = 0; p < FlashAttentionGrid.LENGTHS.length - 2; p++) {
            String pair = "Nq=" + FlashAttentionGrid.LENGTHS[p][0] + " Nk=" + FlashAttentionGrid.LENGTHS[p][1] + " ";
            assertTrue(names.stream().anyMatch(n -> n.contains(pair) && n.contains("window(")), "no local " + pair);
        }
        for (int d : FlashAttentionGrid.HEAD_DIMS) {
            assertTrue(names.stream().anyMatch(n -> n.contains(" D=" + d + " ")), "no head dim " + d);
        }
        for (String needle : new String[] {"MHA", "GQA", "MQA", " causal", "causal window(", "backward ", "+lse"}) {
            assertTrue(names.stream().anyMatch(n -> n.contains(needle)), "no case with " + needle);
        }
        assertTrue(names.stream().anyMatch(n -> !n.contains("causal") && !n.contains("window(")), "no unmasked case");
        assertEquals(names, names(REFERENCE), "the sample is seeded");
    }

    /** Head dims are FlashAttention's: a provider that declares only 64 and 128 skips the others, with its reason. */
    @Test
    void undeclaredHeadDimsAreSkipped() {
        Capabilities all = Capabilities.everything();
        BrokenProvider p = new BrokenProvider("dims-64-128").declares(Capabilities.builder()
                .dtypes(EnumSet.allOf(DType.class)).masks(all.masks()).normalizers(all.normalizers())
                .probabilities(true).headDims(Set.of(64, 128))
                .backward(all.backwardDtypes(), all.backwardMasks(), all.backwardNormalizers()).build());
        ConformanceOptions o = ConformanceOptions.defaultsFor(p).withRequireRegistration(false);
        List<ConformanceCase> cases = ConformanceKit.cases(p, o, CaseCategory.FLASH_ATTENTION_GRID).stream()
                .filter(c -> !c.name().contains(" D=64 ") && !c.name().contains(" D=128 "))
                .collect(Collectors.toList());
        ConformanceReport report = ConformanceKit.run(p, cases);
        assertEquals(cases.size(), report.skipped(), report::summary);
        assertTrue(report.skips().get(0).message().contains("head dim"), report::summary);
    }

    /**
     * A provider that reads "waived where i' < G" literally, as every provider did: with G = 0 the rows of
     * {@code i' < 0} attend to every key. The grid's local cases with Nq > Nk catch it.
     */
    @Test
    void catchesRowsBeforeTheFirstKeyTakenForGlobalTokens() {
        BrokenProvider p = new BrokenProvider("negative-rows-global").rewritingResult(
                FlashAttentionGridTest::negativeRowsSeeEverything);
        ConformanceOptions o = ConformanceOptions.defaultsFor(p).withRequireRegistration(false);
        List<ConformanceCase> cases = ConformanceKit.cases(p, o, CaseCategory.FLASH_ATTENTION_GRID).stream()
                .filter(c -> !c.name().startsWith("backward") && c.name().contains("window(") && !c.name().contains("causal")
                        && (c.name().contains("Nq=239 Nk=1 ") || c.name().contains("Nq=799 Nk=3 ")))
                .collect(Collectors.toList());
        ConformanceReport report = ConformanceKit.run(p, cases);
        assertEquals(2, cases.size());
        assertEquals(cases.size(), report.failed(), report::summary);
    }

    /** Rows {@code i < Nq - Nk} recomputed without the window (as a provider taking them for global tokens does). */
    private static AttentionResult negativeRowsSeeEverything(AttentionRequest r, AttentionResult res) {
        int shift = r.queryLength() - r.keyLength();
        if (r.window().isEmpty() || shift <= 0 || r.causal()) {
            return res;
        }
        float[] o = res.output().toFloatArray();
        try (AttentionResult dense = REFERENCE.forward(r.toBuilder().window(null).returnLse(false).build())) {
            float[] all = dense.output().toFloatArray();
            int dv = r.valueDim();
            for (int bh = 0; bh < r.batch() * r.queryHeads(); bh++) {
                int from = bh * r.queryLength() * dv;
                System.arraycopy(all, from, o, from, shift * dv);
            }
        }
        return BrokenProvider.withOutput(r, res, o);
    }
}
