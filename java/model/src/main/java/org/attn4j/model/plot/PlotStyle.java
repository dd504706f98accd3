package org.attn4j.model.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.Marker;

/** The look the experiment charts share with {@link Figure1}: white panels, a light grid, one colour per series. */
final class PlotStyle {
    static final Color[] COLORS = {
        new Color(0x1F, 0x77, 0xB4), new Color(0xFF, 0x7F, 0x0E), new Color(0x2C, 0xA0, 0x2C),
        new Color(0xD6, 0x27, 0x28), new Color(0x94, 0x67, 0xBD), new Color(0x8C, 0x56, 0x4B),
        new Color(0xE3, 0x77, 0xC2), new Color(0x7F, 0x7F, 0x7F), new Color(0xBC, 0xBD, 0x22),
        new Color(0x17, 0xBE, 0xCF)
    };
    static final int WIDTH = 600;
    static final int HEIGHT = 480;

    static {
        // Charts are drawn on servers and in CI: no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private PlotStyle() {
    }

    static Color color(int i) {
        return COLORS[Math.floorMod(i, COLORS.length)];
    }

    static XYChart panel(String title, String xLabel, String yLabel) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        XYStyler st = c.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(225, 225, 225));
        st.setLegendBackgroundColor(new Color(255, 255, 255, 230));
        st.setMarkerSize(7);
        return c;
    }

    /** Adds the finite points (positive ones on a log axis); nothing when none is drawable. */
    static void series(XYChart c, String name, List<double[]> points, Color color, BasicStroke line, Marker marker,
                       boolean inLegend) {
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

    /** Writes the panels side by side ({@code columns} per row) as one PNG. */
    static void write(Path file, List<? extends Chart<?, ?>> panels, int columns) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        int rows = (panels.size() + columns - 1) / columns;
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(List.copyOf(panels), rows, columns, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
