package org.attn4j.cpu.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The API fuzzer: seeded random requests, valid and invalid, through the public API on {@code cpu} and
 * {@code reference} (see {@link FuzzRun} for what each must satisfy). Every CI run makes 10^4 of them (about half
 * a minute on two cores).
 *
 * <p>On demand:
 * <pre>
 * ./mvnw -B -Dattn4j.natives.skip=true -pl java/cpu -am test -Dtest=ApiFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dattn4j.fuzz.requests=1000000 [-Dattn4j.fuzz.seed=S]
 * ... -Dattn4j.fuzz.case=SEED     # one case again, by the seed a finding shows
 * </pre>
 * Every area is drawn and compared by default: NaN, infinite, huge and subnormal values in q, k, v and dO, huge and
 * tiny scales, tiles near Integer.MAX_VALUE, windows with Nq > Nk. Only a request whose float32 sums may leave
 * float32's range is held to the exception rule alone ({@link FloatRange}, the difference the SPEC documents).
 */
class ApiFuzzTest {
    private static final long DEFAULT_SEED = 20_261_204L;
    private static final int DEFAULT_REQUESTS = 10_000;
    private static final int SHOWN_FINDINGS = 20;

    @Test
    void everyRequestIsRefusedWithTheFieldNamedOrComputedAlikeByCpuAndReference() {
        FuzzCaseGenerator generator = new FuzzCaseGenerator(0.4);
        String one = System.getProperty("attn4j.fuzz.case");
        long seed = Long.getLong("attn4j.fuzz.seed", DEFAULT_SEED);
        int requests = one != null ? 1 : Integer.getInteger("attn4j.fuzz.requests", DEFAULT_REQUESTS);

        Map<FuzzRun.Outcome, Integer> outcomes = new EnumMap<>(FuzzRun.Outcome.class);
        FuzzCoverage coverage = new FuzzCoverage();
        List<String> findings = new ArrayList<>();
        int failedCases = 0;
        int backward = 0;
        long start = System.nanoTime();
        long lastReport = start;
        for (int i = 0; i < requests; i++) {
            FuzzCase c = generator.draw(one != null ? Long.parseLong(one) : seed + i);
            int before = findings.size();
            FuzzRun.Outcome o = FuzzRun.run(c, findings);
            outcomes.merge(o, 1, Integer::sum);
            coverage.record(c, o);
            if (findings.size() > before) {
                failedCases++;
                if (findings.size() > 10_000) {
                    findings.subList(10_000, findings.size()).clear();
                }
            }
            if (c.backward && o == FuzzRun.Outcome.COMPARED) {
                backward++;
            }
            long now = System.nanoTime();
            if (now - lastReport > 60e9) {
                // Long runs: a line a minute, so that a run stopped early still says how far it got.
                System.out.printf(Locale.ROOT, "fuzz: %d of %d requests, %d failed, %.0f s%n", i + 1, requests,
                        failedCases, (now - start) / 1e9);
                lastReport = now;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String summary = String.format(Locale.ROOT, "fuzz: %d requests from %s in %.1f s: %d compared"
                        + " (%d with backward, %d more with the backward pass beyond float32's range), %d ran"
                        + " (beyond float32's range), %d refused, %d failed",
                requests, one != null ? "case " + one : "seed " + seed, seconds,
                outcomes.getOrDefault(FuzzRun.Outcome.COMPARED, 0)
                        + outcomes.getOrDefault(FuzzRun.Outcome.FORWARD_COMPARED, 0), backward,
                outcomes.getOrDefault(FuzzRun.Outcome.FORWARD_COMPARED, 0),
                outcomes.getOrDefault(FuzzRun.Outcome.RAN_UNCOMPARED, 0),
                outcomes.getOrDefault(FuzzRun.Outcome.REFUSED, 0), failedCases);
        System.out.println(summary);
        System.out.println("fuzz coverage: " + coverage);
        // Every finding kept (up to 10^4), for the report: the failure message shows only the first ones.
        for (String f : findings) {
            System.out.println("fuzz finding: " + f);
        }
        if (!findings.isEmpty()) {
            StringBuilder sb = new StringBuilder(summary).append(". First findings:");
            for (String f : findings.subList(0, Math.min(SHOWN_FINDINGS, findings.size()))) {
                sb.append(System.lineSeparator()).append("  ").append(f);
            }
            fail(sb.toString());
        }
        // The fuzzer must exercise both sides of its rule and everything it claims to cover, or it proves nothing.
        if (requests >= DEFAULT_REQUESTS) {
            assertTrue(outcomes.getOrDefault(FuzzRun.Outcome.COMPARED, 0) > requests / 4, summary);
            assertTrue(outcomes.getOrDefault(FuzzRun.Outcome.REFUSED, 0) > requests / 4, summary);
            assertTrue(coverage.missing().isEmpty(), "never covered: " + coverage.missing());
        }
    }
}
