package org.attn4j.model.parity;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.attn4j.model.io.Json;
import org.attn4j.model.plot.Figure1;

/**
 * Runs a {@link SweepOptions} grid and draws the paper's Figure 1 from it: (a) sample complexity against {@code k} on
 * a log axis, with and without CoT; (b) the normalised attention entropy along training.
 */
public final class SweepExperiment {
    private SweepExperiment() {
    }

    public static SweepResult run(SweepOptions options, ProgressListener listener) throws IOException {
        options.validate();
        ProgressListener progress = listener == null ? ProgressListener.NONE : listener;
        long start = System.nanoTime();
        List<ParityResult> previous = options.reuse() == null ? List.of()
                : Json.read(options.reuse(), SweepResult.class).runs();
        List<ParityResult> runs = new ArrayList<>();
        List<SweepResult.Point> summary = new ArrayList<>();
        TreeSet<Integer> allKs = new TreeSet<>();
        if (options.withCot()) {
            allKs.addAll(options.ks());
        }
        if (options.withoutCot()) {
            allKs.addAll(options.noCotKs());
        }
        int total = (options.withCot() ? options.ks().size() * options.seeds().size() : 0)
                + (options.withoutCot() ? options.noCotKs().size() * options.noCotSeeds().size() : 0);
        int done = 0;
        for (int k : allKs) {
            for (boolean cot : new boolean[] {true, false}) {
                if (cot ? !options.withCot() || !options.ks().contains(k)
                        : !options.withoutCot() || !options.noCotKs().contains(k)) {
                    continue;
                }
                long budget = cot ? options.cotBudget() : options.noCotBudget();
                List<Long> complexities = new ArrayList<>();
                int converged = 0;
                for (long seed : cot ? options.seeds() : options.noCotSeeds()) {
                    done++;
                    ParityOptions o = options.base().copy().k(k).cot(cot).seed(seed).maxSamples(budget)
                            .stopAtConvergence(true).json(null).heatmap(null).save(null);
                    if (!cot) {
                        o.evalEvery(options.noCotEvalEvery());
                    }
                    ParityResult r = find(previous, o);
                    progress.onStage(String.format(Locale.ROOT, "sweep run %d/%d: k=%d %s seed %d (budget %d)%s",
                            done, total, k, cot ? "CoT" : "no CoT", seed, budget, r != null ? ": reused" : ""));
                    if (r == null) {
                        r = ParityExperiment.run(o, progress);
                    }
                    runs.add(r);
                    complexities.add(r.sampleComplexity());
                    converged += r.converged() ? 1 : 0;
                }
                summary.add(new SweepResult.Point(k, cot, budget, complexities.size(), converged,
                        median(complexities), complexities));
            }
        }
        ParityOptions b = options.base();
        SweepResult result = new SweepResult(b.n(), options.ks(), options.seeds(), options.cotBudget(),
                options.noCotBudget(), b.model().label(), b.layers(), b.heads(), b.dim(), b.effectiveLr(), b.batch(),
                b.threads(), summary, runs, (System.nanoTime() - start) / 1e9);
        if (options.png() != null) {
            Figure1.write(options.png(), result);
        }
        if (options.json() != null) {
            Json.write(options.json(), result);
        }
        return result;
    }

    /**
     * The run of {@code previous} made with exactly the settings of {@code o}, or null. Runs recorded without their
     * settings (older files) are never reused: a match on a few fields could hide a different dropout or schedule.
     */
    private static ParityResult find(List<ParityResult> previous, ParityOptions o) {
        JsonNode wanted = canonical(o.settings());
        for (ParityResult r : previous) {
            if (r.settings() != null && canonical(r.settings()).equals(wanted)) {
                return r;
            }
        }
        return null;
    }

    /** Through JSON text and back, so that a value read from a file and one set in memory compare equal. */
    private static JsonNode canonical(Map<String, Object> settings) {
        try {
            return Json.mapper().readTree(Json.toJson(settings));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Median with non-converged runs (null) counted as infinite; null when the median itself is infinite. */
    static Long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort((a, c) -> a == null ? (c == null ? 0 : 1) : c == null ? -1 : Long.compare(a, c));
        int m = sorted.size();
        if (m % 2 == 1) {
            return sorted.get(m / 2);
        }
        Long lo = sorted.get(m / 2 - 1);
        Long hi = sorted.get(m / 2);
        if (lo == null || hi == null) {
            return null;
        }
        return (lo + hi) / 2;
    }
}
