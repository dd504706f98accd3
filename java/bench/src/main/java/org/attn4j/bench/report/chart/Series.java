package org.attn4j.bench.report.chart;

import java.util.List;

/**
 * One line of a chart.
 *
 * @param points  (x, y) pairs; drawn in x order
 * @param color   palette index
 * @param dashed  dashed line (peers, ideal lines)
 * @param markers a dot at each point
 */
public record Series(String name, List<double[]> points, int color, boolean dashed, boolean markers) {
    public Series {
        points = List.copyOf(points);
    }
}
