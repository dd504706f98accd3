package org.attn4j.bench.report.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws a {@link LineChart} with XChart: a PNG file, or an SVG element to inline in an HTML page. Works headless. */
public final class LineChartRenderer {
    /** Colors for series, by {@link Series#color()} modulo the length. */
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
        new Color(0x7f7f7f), new Color(0xbcbd22)};
    private static final Color GRID = new Color(0xe3e3e3);

    static {
        // Reports are written on servers and in CI: no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private LineChartRenderer() {
    }

    public static void writePng(LineChart chart, Path file, int width, int height) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(toXChart(chart, width, height), out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /** An {@code <svg>} element for an HTML5 page: no XML prolog, DOCTYPE or namespace declarations. */
    public static String inlineSvg(LineChart chart, int width, int height) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            VectorGraphicsEncoder.saveVectorGraphic(toXChart(chart, width, height), bytes,
                    VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String svg = bytes.toString(StandardCharsets.UTF_8);
        // HTML5 puts <svg> in its namespace by itself; the declarations' URLs would be the page's only ones.
        return svg.substring(svg.indexOf("<svg")).replaceFirst(" xmlns:xlink=\"[^\"]*\"", "")
                .replaceFirst(" xmlns=\"[^\"]*\"", "");
    }

    static XYChart toXChart(LineChart chart, int width, int height) {
        XYChart c = new XYChartBuilder().width(width).height(height).title(chart.title())
                .xAxisTitle(chart.xLabel()).yAxisTitle(chart.yLabel()).build();
        XYStyler style = c.getStyler();
        style.setChartBackgroundColor(Color.WHITE);
        style.setPlotBackgroundColor(Color.WHITE);
        style.setPlotGridLinesColor(GRID);
        style.setPlotBorderVisible(false);
        style.setLegendPosition(Styler.LegendPosition.OutsideE);
        style.setLegendBorderColor(Color.WHITE);
        style.setMarkerSize(7);
        style.setYAxisMin(0.0);
        style.setYAxisDecimalPattern("#,##0.###");
        if (chart.logX()) {
            // XChart's log axes label decades only, which hides 256..4096: plot log2 and label the powers of two.
            // XChart cannot lay out an empty label (TextLayout refuses ""): a tick between powers of two gets a space.
            style.setxAxisTickLabelsFormattingFunction(v -> {
                String label = powerOfTwoLabel(v);
                return label.isEmpty() ? " " : label;
            });
        }
        for (Series s : chart.series()) {
            List<double[]> points = new ArrayList<>();
            for (double[] p : s.points()) {
                // A log axis cannot show x <= 0; nothing can show NaN or infinity.
                if (Double.isFinite(p[0]) && Double.isFinite(p[1]) && (!chart.logX() || p[0] > 0)) {
                    points.add(p);
                }
            }
            if (points.isEmpty()) {
                continue;
            }
            points.sort(Comparator.comparingDouble(p -> p[0]));
            XYSeries xs = c.addSeries(s.name(), points.stream().mapToDouble(p -> chart.logX() ? log2(p[0]) : p[0])
                            .toArray(),
                    points.stream().mapToDouble(p -> p[1]).toArray());
            xs.setLineColor(PALETTE[Math.floorMod(s.color(), PALETTE.length)]);
            xs.setMarkerColor(xs.getLineColor());
            xs.setLineStyle(s.dashed() ? SeriesLines.DASH_DASH : new BasicStroke(2f));
            xs.setMarker(s.markers() || points.size() == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        return c;
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** The label of a tick at {@code log2(x)}: 512, 1k, 16k at whole powers of two, nothing between them. */
    static String powerOfTwoLabel(double log2) {
        if (Math.abs(log2 - Math.rint(log2)) > 1e-9) {
            return "";
        }
        long n = Math.round(Math.pow(2, Math.rint(log2)));
        return n >= 1024 && n % 1024 == 0 ? (n / 1024) + "k" : String.valueOf(n);
    }
}
