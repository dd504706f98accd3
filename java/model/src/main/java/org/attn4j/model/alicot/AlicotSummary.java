package org.attn4j.model.alicot;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/** A Markdown table of the runs: one row per depth and condition, the seeds side by side. */
public final class AlicotSummary {
    private AlicotSummary() {
    }

    public static String markdown(List<AlicotResult> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append("| depth | chain steps | condition | latents | seeds | accuracy | sample complexity | decode steps"
                + " | ms per problem | paired speedup over explicit | probe, own steps (mean over states) | CPU s |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        Map<Integer, Map<AlicotCondition, List<AlicotResult>>> byDepth = new TreeMap<>();
        for (Map.Entry<AlicotCondition, TreeMap<Integer, List<AlicotResult>>> e : AlicotFigures.grid(runs)
                .entrySet()) {
            for (Map.Entry<Integer, List<AlicotResult>> d : e.getValue().entrySet()) {
                byDepth.computeIfAbsent(d.getKey(), k -> new TreeMap<>(AlicotCondition.ORDER)).put(e.getKey(),
                        d.getValue());
            }
        }
        for (Map.Entry<Integer, Map<AlicotCondition, List<AlicotResult>>> d : byDepth.entrySet()) {
            for (Map.Entry<AlicotCondition, List<AlicotResult>> e : d.getValue().entrySet()) {
                List<AlicotResult> rs = e.getValue().stream()
                        .sorted(java.util.Comparator.comparingLong(AlicotResult::seed)).toList();
                AlicotResult first = rs.get(0);
                StringJoiner seeds = new StringJoiner(", ");
                StringJoiner acc = new StringJoiner(", ");
                StringJoiner sc = new StringJoiner(", ");
                StringJoiner ms = new StringJoiner(", ");
                StringJoiner probe = new StringJoiner(", ");
                StringJoiner speedup = new StringJoiner(", ");
                double cpu = 0;
                for (AlicotResult r : rs) {
                    seeds.add(Long.toString(r.seed()));
                    acc.add(String.format(Locale.ROOT, "%.3f", Math.floor(r.accuracy() * 1000) / 1000));
                    sc.add(r.sampleComplexity() == null ? "> " + r.budget() : Long.toString(r.sampleComplexity()));
                    ms.add(r.msPerProblem() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.msPerProblem()));
                    speedup.add(r.pairedSpeedup() == null ? "-" : String.format(Locale.ROOT, "%.2f",
                            r.pairedSpeedup()));
                    probe.add(r.probeOwn() == null ? "-" : String.format(Locale.ROOT, "%.2f", mean(r.probeOwn())));
                    cpu += r.cpuSeconds();
                }
                sb.append(String.format(Locale.ROOT, "| %d | %d | %s | %d | %s | %s | %s | %d | %s | %s | %s | %.0f |%n",
                        d.getKey(), first.steps(), e.getKey().label(), first.latents(), seeds, acc, sc,
                        first.decodeSteps(), ms, speedup, probe, cpu));
            }
        }
        return sb.toString();
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }
}
