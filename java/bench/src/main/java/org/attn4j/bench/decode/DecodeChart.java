package org.attn4j.bench.decode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.bench.report.ReportWriter;
import org.attn4j.bench.report.chart.LineChart;
import org.attn4j.bench.report.chart.Series;

/** The decode plot: time per token against the context, one line per mask, NumPy's dashed in the same colour. */
final class DecodeChart {
    private DecodeChart() {
    }

    static void writePng(List<DecodeRow> rows, String title, Path file) throws IOException {
        Map<String, List<double[]>> attn4j = new LinkedHashMap<>();
        Map<String, List<double[]>> numpy = new LinkedHashMap<>();
        for (DecodeRow r : rows) {
            attn4j.computeIfAbsent(r.mask(), k -> new ArrayList<>()).add(new double[] {r.context(), r.msPerToken()});
            if (r.numpyMs() != null) {
                numpy.computeIfAbsent(r.mask(), k -> new ArrayList<>()).add(new double[] {r.context(), r.numpyMs()});
            }
        }
        List<Series> series = new ArrayList<>();
        int color = 0;
        for (Map.Entry<String, List<double[]>> e : attn4j.entrySet()) {
            series.add(new Series(e.getKey(), e.getValue(), color, false, true));
            if (numpy.containsKey(e.getKey())) {
                series.add(new Series("NumPy " + e.getKey(), numpy.get(e.getKey()), color, true, true));
            }
            color++;
        }
        ReportWriter.writePng(new LineChart("decode", title, "context (positions in the cache)",
                "ms per token (best)", true, series), file, 1100, 560);
    }
}
