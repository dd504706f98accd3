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
 * The API fuzzer for decoding: seeded random caches (shapes, types, block sizes, fixed or growing capacity, appends
 * of different counts per sequence) and decode steps (every mask, normalizer, GQA, several new queries, extreme
 * scales and values), valid and invalid, on {@code cpu} and {@code reference} caches ({@link DecodeFuzzRun}). CI
 * makes 3000 (a few seconds); on demand:
 * <pre>
 * ./mvnw -B -Dattn4j.natives.skip=true -pl java/cpu -am test -Dtest=DecodeFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dattn4j.fuzz.decodeRequests=100000 [-Dattn4j.fuzz.seed=S] [-Dattn4j.fuzz.decodeCase=SEED]
 * </pre>
 */
class DecodeFuzzTest {
    private static final long DEFAULT_SEED = 20_261_205L;
    private static final int DEFAULT_REQUESTS = 3000;
    private static final int SHOWN_FINDINGS = 20;

    @Test
    void everyDecodeStepIsRefusedWithTheFieldNamedOrComputedAlikeByCpuAndReference() {
        String one = System.getProperty("attn4j.fuzz.decodeCase");
        long seed = Long.getLong("attn4j.fuzz.seed", DEFAULT_SEED);
        int requests = one != null ? 1 : Integer.getInteger("attn4j.fuzz.decodeRequests", DEFAULT_REQUESTS);
        Map<FuzzRun.Outcome, Integer> outcomes = new EnumMap<>(FuzzRun.Outcome.class);
        List<String> findings = new ArrayList<>();
        int failed = 0;
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            DecodeFuzzCase c = DecodeFuzzCase.draw(one != null ? Long.parseLong(one) : seed + i, 0.3);
            int before = findings.size();
            outcomes.merge(DecodeFuzzRun.run(c, findings), 1, Integer::sum);
            if (findings.size() > before) {
                failed++;
            }
        }
        String summary = String.format(Locale.ROOT, "decode fuzz: %d steps from %s in %.1f s: %d compared, %d ran"
                        + " (beyond float32's range), %d refused, %d failed", requests,
                one != null ? "case " + one : "seed " + seed, (System.nanoTime() - start) / 1e9,
                outcomes.getOrDefault(FuzzRun.Outcome.COMPARED, 0),
                outcomes.getOrDefault(FuzzRun.Outcome.RAN_UNCOMPARED, 0),
                outcomes.getOrDefault(FuzzRun.Outcome.REFUSED, 0), failed);
        System.out.println(summary);
        if (!findings.isEmpty()) {
            fail(summary + "\n" + String.join("\n", findings.subList(0, Math.min(SHOWN_FINDINGS,
                    findings.size()))));
        }
        // The run must have exercised both sides: steps compared, and invalid ones refused.
        assertTrue(one != null || outcomes.getOrDefault(FuzzRun.Outcome.COMPARED, 0) > requests / 3, summary);
        assertTrue(one != null || outcomes.getOrDefault(FuzzRun.Outcome.REFUSED, 0) > requests / 10, summary);
    }
}
