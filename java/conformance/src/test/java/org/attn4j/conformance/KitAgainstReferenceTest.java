package org.attn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.attn4j.reference.ReferenceProvider;
import org.junit.jupiter.api.Test;

/**
 * The kit on the oracle, beyond "everything passes" (which {@link ReferenceConformanceTest} shows through JUnit):
 * every error case applies to it and passes, the case list is complete, unique and deterministic.
 */
class KitAgainstReferenceTest {
    private final ReferenceProvider reference = new ReferenceProvider();

    @Test
    void everyErrorCaseIsRefusedWithTheFieldNamed() {
        ConformanceOptions o = ConformanceOptions.defaultsFor(reference);
        ConformanceReport report = ConformanceKit.run(reference, ConformanceKit.cases(reference, o,
                CaseCategory.ERRORS));
        assertEquals(0, report.failed(), report::summary);
        // The reference declares everything: only the "undeclared X" cases have nothing to refuse.
        for (CaseResult r : report.skips()) {
            assertTrue(r.message().startsWith("nothing to refuse"), r::toString);
        }
        assertTrue(report.passed() >= 35, report::summary);
    }

    @Test
    void theContractHolds() {
        ConformanceReport report = ConformanceKit.run(reference, ConformanceKit.cases(reference,
                ConformanceOptions.defaultsFor(reference), CaseCategory.CONTRACT));
        assertEquals(report.results().size(), report.passed(), report::summary);
    }

    @Test
    void everyCategoryHasCasesAndEveryNameIsUnique() {
        List<ConformanceCase> all = ConformanceKit.cases(reference);
        for (CaseCategory c : CaseCategory.values()) {
            assertTrue(all.stream().anyMatch(k -> k.category() == c), "no case in " + c);
        }
        Set<String> names = new HashSet<>();
        for (ConformanceCase k : all) {
            assertTrue(names.add(k.category() + " " + k.name()), "duplicate " + k);
        }
    }

    @Test
    void theCatalogCoversTheSpec() {
        List<String> names = ConformanceKit.cases(reference).stream().map(ConformanceCase::name)
                .collect(Collectors.toList());
        for (String needle : new String[] {"MHA", "GQA", "MQA", " causal", "window(", "global=", "blockMask[QB,KB]",
                "blockMask[B,Hq,QB,KB]", "topKBlocks(", "topKTokens(", "softmax", "sparsemax", "entmax15",
                "Nq=1 ", "Nq=7 ", "Nq=100 ", "Nq=257 ", "Nk=1 ", "Nk=257 ", "fp16 ", "bf16 ", "->", "+lse",
                "+probabilities", "+callerOutput", "+callerLse", "scale="}) {
            assertTrue(names.stream().anyMatch(n -> n.contains(needle)), "no case with " + needle);
        }
        assertTrue(names.stream().anyMatch(n -> n.contains(" causal") && n.contains("window(")
                && n.contains("blockMask") && n.contains("topKBlocks") && n.contains("topKTokens")),
                "no case combining every mask");
    }

    @Test
    void casesAreDeterministic() {
        List<ConformanceCase> first = ConformanceKit.cases(reference, ConformanceOptions.defaultsFor(reference),
                CaseCategory.MASKS);
        List<ConformanceCase> second = ConformanceKit.cases(reference, ConformanceOptions.defaultsFor(reference),
                CaseCategory.MASKS);
        assertEquals(first.stream().map(ConformanceCase::name).collect(Collectors.toList()),
                second.stream().map(ConformanceCase::name).collect(Collectors.toList()));
        for (Scenario s : ScenarioCatalog.masks().subList(0, 12)) {
            ScenarioData a = ScenarioData.draw(s);
            ScenarioData b = ScenarioData.draw(s);
            assertTrue(java.util.Arrays.equals(a.q, b.q) && java.util.Arrays.equals(a.k, b.k)
                    && java.util.Arrays.equals(a.v, b.v) && java.util.Objects.equals(a.blockMask, b.blockMask));
        }
    }

    @Test
    void theSummaryCountsAndListsFailures() {
        BrokenProvider p = new BrokenProvider("dropped-scale").rewritingRequest(r -> r.toBuilder().scale(1).build());
        ConformanceReport report = ConformanceKit.run(p, ConformanceKit.cases(p,
                ConformanceOptions.defaultsFor(p).withRequireRegistration(false), CaseCategory.SHAPES));
        String summary = report.summary();
        assertFalse(report.allPassed());
        assertTrue(summary.contains(report.failed() + " failed"), summary);
        assertTrue(summary.contains("failures:") && summary.contains("exceeds tolerance"), summary);
        assertTrue(report.failures().get(0).error() > report.failures().get(0).tolerance());
    }
}
