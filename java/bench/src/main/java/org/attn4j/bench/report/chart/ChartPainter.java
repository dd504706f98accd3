package org.attn4j.bench.report.chart;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** Lays out a {@link LineChart} (axes, ticks, grid, lines, legend) on any {@link ChartCanvas}. */
public final class ChartPainter {
    /** Colors for series, by {@link Series#color()} modulo the length. */
    public static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
    private static final String AXIS = "#333333";
    private static final String GRID = "#e3e3e3";
    private static final double LEFT = 72;
    private static final double TOP = 42;
    private static final double BOTTOM = 56;
    private static final double LEGEND = 290;

    private ChartPainter() {
    }

    public static void paint(LineChart chart, ChartCanvas g, int width, int height) {
        g.rect(0, 0, width, height, "#ffffff", null);
        g.text(width / 2.0, 24, chart.title(), 15, ChartCanvas.Anchor.MIDDLE, AXIS, false);
        double plotW = width - LEFT - LEGEND - 16;
        double plotH = height - TOP - BOTTOM;
        List<double[]> all = new ArrayList<>();
        for (Series s : chart.series()) {
            for (double[] p : s.points()) {
                if (Double.isFinite(p[0]) && Double.isFinite(p[1]) && (!chart.logX() || p[0] > 0)) {
                    all.add(p);
                }
            }
        }
        g.rect(LEFT, TOP, plotW, plotH, null, AXIS);
        if (all.isEmpty()) {
            g.text(LEFT + plotW / 2, TOP + plotH / 2, "no data", 13, ChartCanvas.Anchor.MIDDLE, AXIS, false);
            return;
        }
        double xMin = Double.MAX_VALUE;
        double xMax = -Double.MAX_VALUE;
        double yMax = 0;
        for (double[] p : all) {
            double x = chart.logX() ? log2(p[0]) : p[0];
            xMin = Math.min(xMin, x);
            xMax = Math.max(xMax, x);
            yMax = Math.max(yMax, p[1]);
        }
        List<Double> xTicks = new ArrayList<>();
        if (chart.logX()) {
            TreeSet<Double> xs = new TreeSet<>();
            all.forEach(p -> xs.add(p[0]));
            xTicks.addAll(xs);
            if (xMin == xMax) {
                xMin -= 1;
                xMax += 1;
            }
            double pad = (xMax - xMin) * 0.05;
            xMin -= pad;
            xMax += pad;
        } else {
            xMin = Math.min(0, xMin);
            double step = niceStep(xMax - xMin);
            xMax = Math.ceil(xMax / step) * step;
            if (xMax <= xMin) {
                xMax = xMin + 1;
                step = niceStep(1);
            }
            for (double t = xMin; t <= xMax + step / 2; t += step) {
                xTicks.add(t);
            }
        }
        double yStep = niceStep(yMax <= 0 ? 1 : yMax * 1.05);
        double yTop = Math.max(yStep, Math.ceil(yMax * 1.05 / yStep) * yStep);
        final double fxMin = xMin;
        final double fxMax = xMax;
        Mapper map = (x, y) -> new double[] {
            LEFT + ((chart.logX() ? log2(x) : x) - fxMin) / (fxMax - fxMin) * plotW,
            TOP + plotH - y / yTop * plotH};
        for (double t = 0; t <= yTop + yStep / 2; t += yStep) {
            double y = TOP + plotH - t / yTop * plotH;
            g.line(LEFT, y, LEFT + plotW, y, GRID, 1, false);
            g.text(LEFT - 6, y + 4, format(t), 11, ChartCanvas.Anchor.END, AXIS, false);
        }
        for (double t : xTicks) {
            double x = map.at(t, 0)[0];
            g.line(x, TOP + plotH, x, TOP + plotH + 4, AXIS, 1, false);
            g.text(x, TOP + plotH + 17, chart.logX() ? sizeLabel(t) : format(t), 11, ChartCanvas.Anchor.MIDDLE, AXIS,
                    false);
        }
        g.line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, AXIS, 1.2, false);
        g.line(LEFT, TOP, LEFT, TOP + plotH, AXIS, 1.2, false);
        g.text(LEFT + plotW / 2, height - 14, chart.xLabel(), 12, ChartCanvas.Anchor.MIDDLE, AXIS, false);
        g.text(18, TOP + plotH / 2, chart.yLabel(), 12, ChartCanvas.Anchor.MIDDLE, AXIS, true);

        double legendY = TOP + 6;
        double legendX = LEFT + plotW + 16;
        for (Series s : chart.series()) {
            String color = PALETTE[Math.floorMod(s.color(), PALETTE.length)];
            List<double[]> pts = new ArrayList<>();
            for (double[] p : s.points()) {
                if (Double.isFinite(p[0]) && Double.isFinite(p[1]) && (!chart.logX() || p[0] > 0)) {
                    pts.add(p);
                }
            }
            pts.sort(Comparator.comparingDouble(p -> p[0]));
            double[] xs = new double[pts.size()];
            double[] ys = new double[pts.size()];
            for (int i = 0; i < pts.size(); i++) {
                double[] m = map.at(pts.get(i)[0], pts.get(i)[1]);
                xs[i] = m[0];
                ys[i] = m[1];
            }
            if (xs.length > 1) {
                g.polyline(xs, ys, color, 2, s.dashed());
            }
            if (s.markers() || xs.length == 1) {
                for (int i = 0; i < xs.length; i++) {
                    g.circle(xs[i], ys[i], 3.2, color);
                }
            }
            if (legendY < height - BOTTOM + 20) {
                g.line(legendX, legendY, legendX + 22, legendY, color, 2.5, s.dashed());
                String name = s.name().length() > 42 ? s.name().substring(0, 41) + "…" : s.name();
                g.text(legendX + 28, legendY + 4, name, 11, ChartCanvas.Anchor.START, AXIS, false);
                legendY += 16;
            }
        }
    }

    private interface Mapper {
        double[] at(double x, double y);
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** 1, 2 or 5 times a power of ten, giving about five steps over {@code range}. */
    static double niceStep(double range) {
        double raw = range / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double nice = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
        return nice * mag;
    }

    /** Sequence lengths: 512, 1k, 2k, 16k. */
    static String sizeLabel(double v) {
        long n = Math.round(v);
        return n >= 1024 && n % 1024 == 0 ? (n / 1024) + "k" : String.valueOf(n);
    }

    static String format(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v).replaceAll("\\.0$", "");
        }
        if (a >= 0.1) {
            return String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.2g", v)).stripTrailingZeros().toPlainString();
    }
}
