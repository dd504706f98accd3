package org.attn4j.bench.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.attn4j.bench.report.chart.LineChart;
import org.attn4j.bench.report.chart.Series;
import org.attn4j.bench.results.BenchRow;

/**
 * The report's plots, built from the rows that are ok:
 * <ul>
 *   <li>TFLOP/s versus sequence length, one line per provider and mask, one chart per (device kind, type,
 *       direction, head dim) of the FlashAttention sweep; peers dashed.</li>
 *   <li>Time versus density for the block-sparse rows (and the dense row at density 1), one chart per (device kind,
 *       type, direction, shape), with each provider's ideal line {@code d x dense time} dashed in its color.</li>
 * </ul>
 */
public final class ReportCharts {
    private ReportCharts() {
    }

    public static List<LineChart> throughputBySequence(List<BenchRow> rows) {
        Map<String, Map<String, List<double[]>>> charts = new LinkedHashMap<>();
        Map<String, String> titles = new LinkedHashMap<>();
        Set<String> peerSeries = new HashSet<>();
        for (BenchRow r : rows) {
            if (!r.isOk() || r.tflops() == null || !"fa".equals(r.shapeSet())) {
                continue;
            }
            String id = "tflops-" + r.deviceKind() + "-" + r.dtype() + "-" + r.direction() + "-d" + r.shape().headDim();
            titles.putIfAbsent(id, "TFLOP/s vs sequence length: " + r.deviceKind() + ", " + r.dtype() + ", "
                    + r.direction() + ", head dim " + r.shape().headDim() + " (" + r.scale() + " scale)");
            String series = r.displayName() + " " + r.maskDetail();
            if (r.isPeer()) {
                peerSeries.add(series);
            }
            charts.computeIfAbsent(id, k -> new LinkedHashMap<>())
                    .computeIfAbsent(series, k -> new ArrayList<>())
                    .add(new double[] {r.shape().seqQ(), r.tflops()});
        }
        List<LineChart> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<double[]>>> c : charts.entrySet()) {
            List<Series> series = new ArrayList<>();
            int color = 0;
            for (Map.Entry<String, List<double[]>> s : c.getValue().entrySet()) {
                series.add(new Series(s.getKey(), s.getValue(), color++, peerSeries.contains(s.getKey()), true));
            }
            out.add(new LineChart(c.getKey(), titles.get(c.getKey()), "sequence length", "TFLOP/s", true, series));
        }
        return out;
    }

    public static List<LineChart> timeByDensity(List<BenchRow> rows) {
        Map<String, Map<String, List<double[]>>> charts = new LinkedHashMap<>();
        Map<String, Map<String, Double>> denseTime = new LinkedHashMap<>();
        Map<String, String> titles = new LinkedHashMap<>();
        for (BenchRow r : rows) {
            boolean sparse = "block_sparse".equals(r.mask());
            boolean dense = "dense".equals(r.mask());
            if (!r.isOk() || r.work() == null || !(sparse || dense)) {
                continue;
            }
            String shape = r.configId().substring(0, r.configId().lastIndexOf('/'));
            String id = "density-" + r.deviceKind() + "-" + r.dtype() + "-" + r.direction() + "-"
                    + shape.replaceAll("[^A-Za-z0-9]+", "-");
            titles.putIfAbsent(id, "Time vs density: " + r.deviceKind() + ", " + r.dtype() + ", " + r.direction()
                    + ", " + r.shapeSet() + " B=" + r.shape().batch() + " H=" + r.shape().headsQ() + " S="
                    + r.shape().seqQ() + " D=" + r.shape().headDim());
            charts.computeIfAbsent(id, k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.displayName(), k -> new ArrayList<>())
                    .add(new double[] {r.work().density(), r.timeMs().median()});
            if (dense) {
                denseTime.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(r.displayName(), r.timeMs().median());
            }
        }
        List<LineChart> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<double[]>>> c : charts.entrySet()) {
            boolean anySparse = c.getValue().values().stream().anyMatch(pts -> pts.stream().anyMatch(p -> p[0] < 1));
            if (!anySparse) {
                continue;
            }
            List<Series> series = new ArrayList<>();
            int color = 0;
            for (Map.Entry<String, List<double[]>> s : c.getValue().entrySet()) {
                // Measured points solid, the ideal line dashed in the same color.
                series.add(new Series(s.getKey(), s.getValue(), color, false, true));
                Double dense = denseTime.getOrDefault(c.getKey(), Map.of()).get(s.getKey());
                if (dense != null) {
                    series.add(new Series(s.getKey() + " ideal d x dense", List.of(new double[] {0, 0},
                            new double[] {1, dense}), color, true, false));
                }
                color++;
            }
            out.add(new LineChart(c.getKey(), titles.get(c.getKey()), "density (allowed pairs / dense pairs)",
                    "median time (ms)", false, series));
        }
        return out;
    }
}
