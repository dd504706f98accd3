package org.attn4j.model.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.attn4j.model.parity.EvalPoint;
import org.attn4j.model.parity.ParityResult;
import org.attn4j.model.parity.SweepResult;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The paper's Figure 1 from a sweep, drawn with XChart as two panels side by side: (a) sample complexity against
 * {@code k} on a log axis, with CoT (blue) and without (orange), one dot per seed, a line through the medians,
 * triangles at the budget for runs that never reached exact match 1.0; (b) the normalised attention entropy (smallest
 * over layers and heads) along training for the first seed of every {@code (k, cot)}, solid with CoT, dashed without,
 * a dot where exact match first reached 1.0.
 */
public final class Figure1 {
    static final Color COT = new Color(0x1F, 0x77, 0xB4);
    static final Color NO_COT = new Color(0xFF, 0x7F, 0x0E);
    private static final Color[] K_COLORS = {
        new Color(0x1F, 0x77, 0xB4), new Color(0xFF, 0x7F, 0x0E), new Color(0x2C, 0xA0, 0x2C),
        new Color(0xD6, 0x27, 0x28), new Color(0x94, 0x67, 0xBD), new Color(0x8C, 0x56, 0x4B),
        new Color(0xE3, 0x77, 0xC2), new Color(0x7F, 0x7F, 0x7F)
    };
    /** Each panel; the figure is two of them side by side. */
    static final int PANEL_WIDTH = 600;
    static final int PANEL_HEIGHT = 520;

    static {
        // Figures are drawn on servers and in CI: no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Figure1() {
    }

    public static void write(Path file, SweepResult sweep) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(List.of(sampleComplexity(sweep), entropy(sweep)), 1, 2, out,
                    BitmapEncoder.BitmapFormat.PNG);
        }
    }

    static XYChart sampleComplexity(SweepResult s) {
        // Every k of the grid, with or without CoT (the no-CoT ks may lie outside the CoT ones).
        TreeSet<Integer> allKs = new TreeSet<>(s.ks());
        s.summary().forEach(p -> allKs.add(p.k()));
        int kMin = allKs.isEmpty() ? 1 : allKs.first();
        int kMax = allKs.isEmpty() ? 1 : allKs.last();
        double yMax = Math.max(s.cotBudget(), s.noCotBudget());
        double yMin = yMax;
        for (SweepResult.Point p : s.summary()) {
            for (Long c : p.sampleComplexities()) {
                if (c != null && c > 0) {
                    yMin = Math.min(yMin, c);
                }
            }
        }
        XYChart c = panel(String.format(Locale.ROOT, "(a) samples to exact match 1.0: parity n=%d, %s %dx%d, dim %d",
                s.n(), s.model(), s.layers(), s.heads(), s.dim()), "k (secret size)", "training samples");
        XYStyler st = c.getStyler();
        st.setYAxisLogarithmic(true);
        st.setYAxisMin(Math.pow(10, Math.floor(Math.log10(Math.max(1, yMin)))));
        // A decade of head room above the budgets keeps the legend clear of the budget markers.
        st.setYAxisMax(Math.pow(10, Math.ceil(Math.log10(yMax * 1.5)) + 1));
        st.setXAxisMin(kMin - 0.3);
        st.setXAxisMax(kMax + 0.3);
        st.setXAxisDecimalPattern("0");
        st.setLegendPosition(Styler.LegendPosition.InsideNW);
        for (boolean cot : new boolean[] {true, false}) {
            Color color = cot ? COT : NO_COT;
            String who = cot ? "with CoT" : "without CoT";
            Set<Long> seeds = seeds(s, cot);
            double budget = cot ? s.cotBudget() : s.noCotBudget();
            double offset = cot ? -0.06 : 0.06;
            List<double[]> reached = new ArrayList<>();
            List<double[]> atBudget = new ArrayList<>();
            List<double[]> medians = new ArrayList<>();
            List<double[]> censored = new ArrayList<>();
            for (SweepResult.Point p : s.summary()) {
                if (p.cot() != cot) {
                    continue;
                }
                for (Long v : p.sampleComplexities()) {
                    (v != null ? reached : atBudget).add(new double[] {p.k() + offset, v != null ? v : budget});
                }
                Long median = p.medianSampleComplexity();
                if (median != null) {
                    medians.add(new double[] {p.k(), median});
                }
                // Where the median is censored (at least half the seeds hit the budget) a dashed line goes on to
                // the budget: the sample complexity is at least that.
                censored.add(new double[] {p.k(), median != null ? median : budget});
            }
            if (censored.isEmpty()) {
                continue;
            }
            series(c, who + " (median of seeds " + seeds + ")", medians, color, new BasicStroke(2.5f), SeriesMarkers.NONE, true);
            series(c, who + ", censored", censored, color, SeriesLines.DASH_DASH, SeriesMarkers.NONE, false);
            series(c, who + " budget", List.of(new double[] {kMin - 0.3, budget}, new double[] {kMax + 0.3, budget}),
                    color, SeriesLines.DOT_DOT, SeriesMarkers.NONE, false);
            series(c, who + " seeds", reached, color, SeriesLines.NONE, SeriesMarkers.CIRCLE, false);
            series(c, who + ": budget reached, no exact match 1.0", atBudget, color, SeriesLines.NONE,
                    SeriesMarkers.TRIANGLE_UP, true);
        }
        return c;
    }

    static XYChart entropy(SweepResult s) {
        double xMax = 1;
        for (ParityResult r : s.runs()) {
            xMax = Math.max(xMax, r.samplesSeen());
        }
        double xMin = 1000;
        XYChart c = panel(String.format(Locale.ROOT, "(b) attention entropy (lr %.1e, batch %d)", s.lr(),
                s.batch()), "training samples",
                "normalised entropy (Eq. 1), first seed");
        XYStyler st = c.getStyler();
        st.setXAxisLogarithmic(true);
        st.setXAxisMin(xMin);
        st.setXAxisMax(Math.pow(10, Math.ceil(Math.log10(xMax))));
        st.setYAxisMin(0.0);
        st.setYAxisMax(1.05);
        st.setLegendPosition(Styler.LegendPosition.InsideSE);
        // The first run of each (k, CoT) cell: with and without CoT may use different seeds.
        Set<String> drawn = new HashSet<>();
        TreeSet<Integer> ks = new TreeSet<>(s.ks());
        s.summary().forEach(p -> ks.add(p.k()));
        List<Integer> order = new ArrayList<>(ks);
        for (ParityResult r : s.runs()) {
            String name = "k=" + r.k() + (r.cot() ? " CoT" : " no CoT");
            if (!drawn.add(name)) {
                continue;
            }
            // One colour per k of this sweep, in order, so that any set of k values stays distinguishable.
            Color color = K_COLORS[Math.max(0, order.indexOf(r.k())) % K_COLORS.length];
            List<double[]> points = new ArrayList<>();
            for (EvalPoint e : r.history()) {
                // The evaluation before any training sits at the left edge.
                points.add(new double[] {Math.max(xMin, e.samples()), minEntropy(e.entropy())});
            }
            series(c, name, points, color, r.cot() ? new BasicStroke(2f) : SeriesLines.DASH_DASH, SeriesMarkers.NONE,
                    true);
            if (r.sampleComplexity() != null && !points.isEmpty()) {
                series(c, name + " reached 1.0", List.of(new double[] {Math.max(xMin, r.sampleComplexity()),
                        points.get(points.size() - 1)[1]}), color, SeriesLines.NONE, SeriesMarkers.CIRCLE, false);
            }
        }
        return c;
    }

    private static XYChart panel(String title, String xLabel, String yLabel) {
        XYChart c = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        XYStyler st = c.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(225, 225, 225));
        st.setLegendBackgroundColor(new Color(255, 255, 255, 230));
        st.setMarkerSize(8);
        return c;
    }

    /** Adds a series of the finite points (positive on a log axis); nothing when none is drawable. */
    private static void series(XYChart c, String name, List<double[]> points, Color color, BasicStroke line,
                               org.knowm.xchart.style.markers.Marker marker, boolean inLegend) {
        boolean logX = c.getStyler().isXAxisLogarithmic();
        boolean logY = c.getStyler().isYAxisLogarithmic();
        List<double[]> ok = points.stream().filter(p -> Double.isFinite(p[0]) && Double.isFinite(p[1])
                && (!logX || p[0] > 0) && (!logY || p[1] > 0)).toList();
        if (ok.isEmpty()) {
            return;
        }
        XYSeries x = c.addSeries(name, ok.stream().mapToDouble(p -> p[0]).toArray(),
                ok.stream().mapToDouble(p -> p[1]).toArray());
        x.setLineColor(color);
        x.setMarkerColor(color);
        x.setLineStyle(line);
        x.setMarker(marker);
        x.setShowInLegend(inLegend);
    }

    private static Set<Long> seeds(SweepResult s, boolean cot) {
        Set<Long> out = new TreeSet<>();
        for (ParityResult r : s.runs()) {
            if (r.cot() == cot) {
                out.add(r.seed());
            }
        }
        return out;
    }

    private static double minEntropy(double[][] entropy) {
        double m = Double.POSITIVE_INFINITY;
        for (double[] layer : entropy) {
            for (double e : layer) {
                m = Math.min(m, e);
            }
        }
        return m;
    }
}
