package org.attn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.attn4j.DType;
import org.attn4j.spi.AttentionProvider;
import org.junit.jupiter.api.Test;

/**
 * The tolerances must pass a correct provider that computes in float32 rather than float64, including one that
 * rounds like a half-precision kernel, with room to spare; this test measures the worst errors such providers reach
 * on every numeric case of the kit and asserts that they stay under half of the tolerance.
 */
class ToleranceMarginsTest {

    @Test
    void plainFloat32PassesWithMargin() {
        // The FlashAttention grid is left out: its large shapes take this plain-loop provider too long.
        check(new PlainFloatProvider("plain-float32", false), EnumSet.complementOf(
                EnumSet.of(CaseCategory.ERRORS, CaseCategory.CONTRACT, CaseCategory.FLASH_ATTENTION_GRID)));
    }

    @Test
    void halfPrecisionKernelRoundingPassesWithMargin() {
        // Only the categories with fp16 and bf16 cases: on fp32 this provider computes as the one above.
        check(new PlainFloatProvider("half-kernel", true), EnumSet.of(CaseCategory.DTYPES, CaseCategory.BACKWARD));
    }

    private static void check(AttentionProvider p, Set<CaseCategory> categories) {
        ConformanceOptions o = ConformanceOptions.defaultsFor(p).withRequireRegistration(false);
        List<ConformanceCase> cases = new ArrayList<>();
        for (CaseCategory c : categories) {
            cases.addAll(ConformanceKit.cases(p, o, c));
        }
        ConformanceReport report = ConformanceKit.run(p, cases);
        assertEquals(0, report.failed(), report::summary);
        assertEquals(0, report.skipped(), report::summary);
        Map<DType, double[]> worst = new EnumMap<>(DType.class);
        Map<DType, String[]> where = new EnumMap<>(DType.class);
        for (CaseResult r : report.results()) {
            DType t = DType.parse(r.name().substring(0, 4));
            double[] w = worst.computeIfAbsent(t, k -> new double[4]);
            String[] n = where.computeIfAbsent(t, k -> new String[2]);
            int slot = r.category() == CaseCategory.BACKWARD ? 2 : 0;
            if (r.error() / r.tolerance() > w[slot + 1]) {
                w[slot] = r.error();
                w[slot + 1] = r.error() / r.tolerance();
                n[slot / 2] = r.name() + " (" + r.message() + ")";
            }
        }
        for (Map.Entry<DType, double[]> e : worst.entrySet()) {
            double[] w = e.getValue();
            String[] n = where.get(e.getKey());
            System.out.printf(Locale.ROOT, "%s %s: worst forward error %.2e (%.3f of tolerance) in %s;"
                    + " worst backward error %.2e (%.3f of tolerance) in %s%n", p.name(), e.getKey(), w[0], w[1],
                    n[0], w[2], w[3], n[1]);
            assertTrue(w[1] < 0.5 && w[3] < 0.5, () -> p.name() + " " + e.getKey()
                    + " comes within 2x of a tolerance: " + report.summary());
        }
    }
}
