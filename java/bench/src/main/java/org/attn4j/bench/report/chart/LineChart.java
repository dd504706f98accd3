package org.attn4j.bench.report.chart;

import java.util.List;

/**
 * A line chart: what to draw, independent of the medium ({@link ChartPainter} draws it on SVG or on a Java2D image).
 *
 * @param id    short file-name-safe identifier (PNG names)
 * @param logX  base-2 logarithmic x axis, ticks at the data's x values (sequence lengths)
 */
public record LineChart(String id, String title, String xLabel, String yLabel, boolean logX, List<Series> series) {
    public LineChart {
        series = List.copyOf(series);
    }
}
