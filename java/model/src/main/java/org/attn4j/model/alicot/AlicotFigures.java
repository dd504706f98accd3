package org.attn4j.model.alicot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The experiment's figures, drawn with XChart from the runs' results:
 * <ul>
 *   <li>{@code alicot-depth.png}: (a) held-out accuracy and (b) sample complexity (log axis; open triangles at the
 *       budget for runs that never reached the target) against depth, one line per condition through the mean
 *       (accuracy) or median (sample complexity) of the seeds, a dot per seed;</li>
 *   <li>{@code alicot-cost.png}: (a) sequential decode steps and (b) wall time per problem (batch 1) against depth,
 *       for the conditions that answer above the target;</li>
 *   <li>{@code alicot-probes.png}: at the deepest depth with latent runs, (a) the probe accuracy of each reasoning
 *       state for the steps it stands for and (b) for the answer, against the state's index.</li>
 * </ul>
 */
public final class AlicotFigures {
    private static final int WIDTH = 620;
    private static final int HEIGHT = 500;
    private static final Color[] COLORS = {
        new Color(0x7F, 0x7F, 0x7F), new Color(0x1F, 0x77, 0xB4), new Color(0xFF, 0x7F, 0x0E),
        new Color(0x2C, 0xA0, 0x2C), new Color(0xD6, 0x27, 0x28), new Color(0x94, 0x67, 0xBD),
        new Color(0x8C, 0x56, 0x4B), new Color(0xE3, 0x77, 0xC2), new Color(0x17, 0xBE, 0xCF)
    };

    static {
        // Figures are drawn on servers and in CI: no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private AlicotFigures() {
    }

    /** Writes the three figures into {@code dir}; returns their paths. */
    public static List<Path> write(List<AlicotResult> runs, Path dir) throws IOException {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("runs: expected at least one result, got none");
        }
        Files.createDirectories(dir);
        Map<AlicotCondition, TreeMap<Integer, List<AlicotResult>>> grid = grid(runs);
        List<AlicotCondition> palette = new ArrayList<>(grid.keySet());
        List<Path> out = new ArrayList<>();
        out.add(save(dir.resolve("alicot-depth.png"), accuracy(grid, palette), sampleComplexity(grid, runs, palette)));
        out.add(save(dir.resolve("alicot-cost.png"), decodeSteps(grid, palette), wallTime(grid, palette)));
        out.add(save(dir.resolve("alicot-probes.png"), probes(runs, false, palette), probes(runs, true, palette)));
        return out;
    }

    /** Runs grouped by condition, then depth. */
    static Map<AlicotCondition, TreeMap<Integer, List<AlicotResult>>> grid(List<AlicotResult> runs) {
        Map<AlicotCondition, TreeMap<Integer, List<AlicotResult>>> grid = new TreeMap<>(AlicotCondition.ORDER);
        for (AlicotResult r : runs) {
            grid.computeIfAbsent(AlicotCondition.of(r), c -> new TreeMap<>())
                    .computeIfAbsent(r.depth(), d -> new ArrayList<>()).add(r);
        }
        return grid;
    }

    private static XYChart accuracy(Map<AlicotCondition, TreeMap<Integer, List<AlicotResult>>> grid,
                                    List<AlicotCondition> palette) {
        XYChart c = panel("(a) held-out accuracy (greedy decoding)", "depth (gates to the sink)", "accuracy");
        c.getStyler().setYAxisMin(0.4).setYAxisMax(1.02);
        for (Map.Entry<AlicotCondition, TreeMap<Integer, List<AlicotResult>>> e : grid.entrySet()) {
            Color color = color(palette, e.getKey());
            int i = palette.indexOf(e.getKey());
            List<double[]> mean = new ArrayList<>();
            List<double[]> dots = new ArrayList<>();
            for (Map.Entry<Integer, List<AlicotResult>> d : e.getValue().entrySet()) {
                double s = 0;
                for (AlicotResult r : d.getValue()) {
                    s += r.accuracy();
                    dots.add(new double[] {d.getKey() + offset(i), r.accuracy()});
                }
                mean.add(new double[] {d.getKey(), s / d.getValue().size()});
            }
            series(c, e.getKey().label(), mean, color, new BasicStroke(2f), SeriesMarkers.NONE, true);
            series(c, e.getKey().label() + " seeds", dots, color, SeriesLines.NONE, SeriesMarkers.CIRCLE, false);
        }
        return c;
    }

    private static XYChart sampleComplexity(Map<AlicotCondition, TreeMap<Integer, List<AlicotResult>>> grid,
                                            List<AlicotResult> runs, List<AlicotCondition> palette) {
        long budget = runs.stream().mapToLong(AlicotResult::budget).max().orElse(1);
        XYChart c = panel("(b) training problems to the target accuracy", "depth (gates to the sink)",
                "sample complexity (triangle: not reached in the budget)");
        XYStyler st = c.getStyler();
        st.setYAxisLogarithmic(true);
        st.setYAxisMin(1000.0);
        st.setYAxisMax(Math.pow(10, Math.ceil(Math.log10(budget * 1.5)) + 0.5));
        for (Map.Entry<AlicotCondition, TreeMap<Integer, List<AlicotResult>>> e : grid.entrySet()) {
            Color color = color(palette, e.getKey());
            int i = palette.indexOf(e.getKey());
            List<double[]> median = new ArrayList<>();
            List<double[]> reached = new ArrayList<>();
            List<double[]> censored = new ArrayList<>();
            for (Map.Entry<Integer, List<AlicotResult>> d : e.getValue().entrySet()) {
                List<Double> values = new ArrayList<>();
                for (AlicotResult r : d.getValue()) {
                    double x = d.getKey() + offset(i);
                    if (r.sampleComplexity() != null) {
                        reached.add(new double[] {x, r.sampleComplexity()});
                        values.add((double) r.sampleComplexity());
                    } else {
                        censored.add(new double[] {x, r.budget()});
                        values.add(Double.POSITIVE_INFINITY);
                    }
                }
                values.sort(null);
                double m = values.get((values.size() - 1) / 2);
                if (Double.isFinite(m)) {
                    median.add(new double[] {d.getKey(), m});
                }
            }
            series(c, e.getKey().label(), median, color, new BasicStroke(2f), SeriesMarkers.NONE, true);
            series(c, e.getKey().label() + " seeds", reached, color, SeriesLines.NONE, SeriesMarkers.CIRCLE, false);
            series(c, e.getKey().label() + " not reached", censored, color, SeriesLines.NONE,
                    SeriesMarkers.TRIANGLE_UP, false);
        }
        return c;
    }

    private static XYChart decodeSteps(Map<AlicotCondition, TreeMap<Integer, List<AlicotResult>>> grid,
                                       List<AlicotCondition> palette) {
        XYChart c = panel("(a) sequential forward passes per answer", "depth (gates to the sink)", "decode steps");
        costSeries(c, grid, palette, true);
        return c;
    }

    private static XYChart wallTime(Map<AlicotCondition, TreeMap<Integer, List<AlicotResult>>> grid,
                                    List<AlicotCondition> palette) {
        XYChart c = panel("(b) wall time per problem (batch 1, KV cache, median)", "depth (gates to the sink)",
                "ms per problem");
        costSeries(c, grid, palette, false);
        return c;
    }

    /** One line per condition over the depths where every seed answered at the target accuracy or better. */
    private static void costSeries(XYChart c, Map<AlicotCondition, TreeMap<Integer, List<AlicotResult>>> grid,
                                   List<AlicotCondition> palette, boolean steps) {
        c.getStyler().setYAxisMin(0.0);
        for (Map.Entry<AlicotCondition, TreeMap<Integer, List<AlicotResult>>> e : grid.entrySet()) {
            Color color = color(palette, e.getKey());
            List<double[]> points = new ArrayList<>();
            for (Map.Entry<Integer, List<AlicotResult>> d : e.getValue().entrySet()) {
                boolean solved = d.getValue().stream().allMatch(r -> r.accuracy() >= r.target());
                double s = 0;
                int n = 0;
                for (AlicotResult r : d.getValue()) {
                    Double v = steps ? Double.valueOf(r.decodeSteps()) : r.msPerProblem();
                    if (v != null) {
                        s += v;
                        n++;
                    }
                }
                if (solved && n > 0) {
                    points.add(new double[] {d.getKey(), s / n});
                }
            }
            series(c, e.getKey().label(), points, color, new BasicStroke(2f), SeriesMarkers.CIRCLE, true);
        }
    }

    private static XYChart probes(List<AlicotResult> runs, boolean answer, List<AlicotCondition> palette) {
        int depth = runs.stream().filter(r -> r.probe() != null && AlicotMode.parse(r.mode()).continuous())
                .mapToInt(AlicotResult::depth).max().orElse(-1);
        XYChart c = panel(answer ? "(b) probe for the answer, depth " + depth
                : "(a) probe for the steps each state stands for, depth " + depth,
                "reasoning state j (row P-1+j; a thought in latent modes)", "linear probe accuracy (held out)");
        c.getStyler().setYAxisMin(0.4).setYAxisMax(1.02);
        Map<AlicotCondition, List<AlicotResult>> byCondition = new TreeMap<>(AlicotCondition.ORDER);
        for (AlicotResult r : runs) {
            if (r.depth() == depth && r.probe() != null) {
                byCondition.computeIfAbsent(AlicotCondition.of(r), k -> new ArrayList<>()).add(r);
            }
        }
        TreeSet<String> drawn = new TreeSet<>();
        for (Map.Entry<AlicotCondition, List<AlicotResult>> e : byCondition.entrySet()) {
            Color color = color(palette, e.getKey());
            AlicotResult first = e.getValue().get(0); // the lowest seed's run
            List<double[]> points = new ArrayList<>();
            for (int j = 0; j < first.probe().length; j++) {
                double v = answer ? first.probe()[j][first.probe()[j].length - 1] : first.probeOwn()[j];
                points.add(new double[] {j, v});
            }
            String name = e.getKey().label() + " (seed " + first.seed() + ")";
            if (drawn.add(name)) {
                series(c, name, points, color, new BasicStroke(2f), SeriesMarkers.CIRCLE, true);
            }
        }
        return c;
    }

    /** One colour per condition, the same in every figure. */
    private static Color color(List<AlicotCondition> palette, AlicotCondition c) {
        return COLORS[Math.max(0, palette.indexOf(c)) % COLORS.length];
    }

    /** Spreads the seeds' dots of different conditions a little apart at one depth. */
    private static double offset(int condition) {
        return ((condition % 7) - 3) * 0.04;
    }

    private static Path save(Path file, XYChart left, XYChart right) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(List.of(left, right), 1, 2, out, BitmapEncoder.BitmapFormat.PNG);
        }
        return file;
    }

    private static XYChart panel(String title, String xLabel, String yLabel) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        XYStyler st = c.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(225, 225, 225));
        st.setLegendBackgroundColor(new Color(255, 255, 255, 230));
        st.setLegendPosition(Styler.LegendPosition.InsideSW);
        st.setMarkerSize(7);
        st.setXAxisDecimalPattern("0");
        return c;
    }

    /** Adds the finite points (positive on a log axis); nothing when none is drawable. */
    private static void series(XYChart c, String name, List<double[]> points, Color color, BasicStroke line,
                               Marker marker, boolean inLegend) {
        boolean logY = c.getStyler().isYAxisLogarithmic();
        List<double[]> ok = points.stream().filter(p -> Double.isFinite(p[0]) && Double.isFinite(p[1])
                && (!logY || p[1] > 0)).toList();
        if (ok.isEmpty()) {
            return;
        }
        XYSeries s = c.addSeries(name, ok.stream().mapToDouble(p -> p[0]).toArray(),
                ok.stream().mapToDouble(p -> p[1]).toArray());
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setLineStyle(line);
        s.setMarker(marker);
        s.setShowInLegend(inLegend);
    }
}
