package org.attn4j.model.plot;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.attn4j.model.parity.ParityResult;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The paper's Figure 3a: samples to reach an exact-match level against {@code k}, linear axes, one panel per level.
 * Each group of runs (an arm: a model and its settings) is one colour: a dot per run, a line through the medians
 * over its runs, and an open triangle at the samples seen for a run that stopped below the level (the median of a
 * {@code k} is drawn only when more than half of its runs reached the level).
 */
public final class SampleComplexityByK {
    private SampleComplexityByK() {
    }

    /** The runs of one arm and its name in the legend. */
    public record Group(String label, List<ParityResult> runs) {
    }

    public static void write(Path file, String title, List<Group> groups, List<String> levels) throws IOException {
        List<XYChart> panels = new ArrayList<>();
        for (String level : levels) {
            panels.add(panel(title, groups, level));
        }
        PlotStyle.write(file, panels, Math.min(2, panels.size()));
    }

    /** Samples at which {@code r} first reached exact match {@code level}, or null. */
    static Long reached(ParityResult r, String level) {
        Map<String, Long> m = r.samplesToExactMatch();
        if (m != null && m.containsKey(level)) {
            return m.get(level);
        }
        return level.equals("1.0") ? r.sampleComplexity() : null;
    }

    private static XYChart panel(String title, List<Group> groups, String level) {
        XYChart c = PlotStyle.panel(String.format(Locale.ROOT, "%s: samples to exact match %s", title, level),
                "k (secret size)", "training samples");
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setXAxisDecimalPattern("0");
        int i = 0;
        for (Group g : groups) {
            var color = PlotStyle.color(i++);
            TreeMap<Integer, List<Long>> byK = new TreeMap<>();
            List<double[]> dots = new ArrayList<>();
            List<double[]> open = new ArrayList<>();
            for (ParityResult r : g.runs()) {
                Long v = reached(r, level);
                byK.computeIfAbsent(r.k(), k -> new ArrayList<>()).add(v);
                if (v != null) {
                    dots.add(new double[] {r.k(), v});
                } else {
                    open.add(new double[] {r.k(), r.samplesSeen()});
                }
            }
            List<double[]> medians = new ArrayList<>();
            byK.forEach((k, values) -> {
                Long median = median(values);
                if (median != null) {
                    medians.add(new double[] {k, median});
                }
            });
            PlotStyle.series(c, g.label() + " (median)", medians, color, new BasicStroke(2f), SeriesMarkers.NONE,
                    true);
            PlotStyle.series(c, g.label() + " runs", dots, color, SeriesLines.NONE, SeriesMarkers.CIRCLE, false);
            PlotStyle.series(c, g.label() + ": stopped below " + level + " (samples seen)", open, color,
                    SeriesLines.NONE, SeriesMarkers.TRIANGLE_UP, true);
        }
        return c;
    }

    /** The median with runs that never reached the level counted as infinite: null when half or more did not. */
    static Long median(List<Long> values) {
        List<Double> sorted = new ArrayList<>();
        for (Long v : values) {
            sorted.add(v == null ? Double.POSITIVE_INFINITY : v.doubleValue());
        }
        sorted.sort(null);
        int n = sorted.size();
        if (n == 0) {
            return null;
        }
        double m = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return Double.isFinite(m) ? Math.round(m) : null;
    }
}
