package org.attn4j.conformance;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The results of a kit run against one provider, with a plain-text summary. */
public final class ConformanceReport {
    private final String provider;
    private final List<CaseResult> results;
    private final long nanos;

    public ConformanceReport(String provider, List<CaseResult> results, long nanos) {
        this.provider = provider;
        this.results = List.copyOf(results);
        this.nanos = nanos;
    }

    public String provider() {
        return provider;
    }

    public List<CaseResult> results() {
        return results;
    }

    public List<CaseResult> failures() {
        return results.stream().filter(CaseResult::failed).collect(Collectors.toList());
    }

    public List<CaseResult> skips() {
        return results.stream().filter(CaseResult::skipped).collect(Collectors.toList());
    }

    public long passed() {
        return results.stream().filter(CaseResult::passed).count();
    }

    public long failed() {
        return results.stream().filter(CaseResult::failed).count();
    }

    public long skipped() {
        return results.stream().filter(CaseResult::skipped).count();
    }

    /** True when no case failed (skipped cases are not failures). */
    public boolean allPassed() {
        return failed() == 0;
    }

    /** Wall time of the whole run. */
    public long nanos() {
        return nanos;
    }

    /** Throws an AssertionError listing the failures, if any. */
    public void assertAllPassed() {
        if (!allPassed()) {
            throw new AssertionError(summary());
        }
    }

    /**
     * Counts per category with the worst measured error relative to its tolerance, every failure, and the reasons
     * for skips with how many cases each skipped.
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "conformance of provider '%s': %d cases, %d passed, %d failed,"
                + " %d skipped (%.1f s)%n", provider, results.size(), passed(), failed(), skipped(), nanos / 1e9));
        Map<CaseCategory, long[]> counts = new EnumMap<>(CaseCategory.class);
        Map<CaseCategory, CaseResult> worst = new EnumMap<>(CaseCategory.class);
        for (CaseResult r : results) {
            long[] c = counts.computeIfAbsent(r.category(), k -> new long[3]);
            c[r.status().ordinal()]++;
            if (!Double.isNaN(r.error()) && !r.skipped()) {
                CaseResult w = worst.get(r.category());
                if (w == null || r.error() / r.tolerance() > w.error() / w.tolerance()) {
                    worst.put(r.category(), r);
                }
            }
        }
        for (Map.Entry<CaseCategory, long[]> e : counts.entrySet()) {
            long[] c = e.getValue();
            CaseResult w = worst.get(e.getKey());
            sb.append(String.format(Locale.ROOT, "  %-13s %4d passed %4d failed %4d skipped", e.getKey(),
                    c[CaseStatus.PASSED.ordinal()], c[CaseStatus.FAILED.ordinal()],
                    c[CaseStatus.SKIPPED.ordinal()]));
            if (w != null) {
                sb.append(String.format(Locale.ROOT, "   worst error %.2e (tolerance %.0e) in %s", w.error(),
                        w.tolerance(), w.name()));
            }
            sb.append(System.lineSeparator());
        }
        List<CaseResult> failures = failures();
        if (!failures.isEmpty()) {
            sb.append("failures:").append(System.lineSeparator());
            for (CaseResult r : failures) {
                sb.append("  [").append(r.category()).append("] ").append(r.name()).append(System.lineSeparator())
                        .append("      ").append(r.message()).append(System.lineSeparator());
            }
        }
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (CaseResult r : skips()) {
            reasons.merge(r.message(), 1, Integer::sum);
        }
        if (!reasons.isEmpty()) {
            sb.append("skipped:").append(System.lineSeparator());
            reasons.forEach((reason, n) -> sb.append(String.format(Locale.ROOT, "  %4d x %s%n", n, reason)));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
