package org.attn4j.bench.report.chart;

import java.util.List;

/**
 * A line chart: what to draw, independent of the medium ({@link LineChartRenderer} draws it as PNG or SVG).
 *
 * @param id    short file-name-safe identifier (PNG names)
 * @param logX  base-2 logarithmic x axis, labelled at powers of two (sequence lengths)
 */
public record LineChart(String id, String title, String xLabel, String yLabel, boolean logX, List<Series> series) {
    public LineChart {
        series = List.copyOf(series);
    }
}
