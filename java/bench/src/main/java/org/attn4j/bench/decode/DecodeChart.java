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

/**
 * The decode plots: time per token against the context, one line per mask with NumPy's dense step dashed (its sparse
 * steps, far slower, are in the table); and each sparse step's time over the dense step's, with its kept share of
 * keys dashed in the same colour (the ideal).
 */
final class DecodeChart {
    private DecodeChart() {
    }

    /** Writes {@code file} and, next to it, {@code <name>-relative.png}. */
    static void writePng(List<DecodeRow> rows, String title, Path file) throws IOException {
        Map<String, List<double[]>> time = new LinkedHashMap<>();
        Map<String, List<double[]>> relative = new LinkedHashMap<>();
        Map<String, List<double[]>> kept = new LinkedHashMap<>();
        List<double[]> numpyDense = new ArrayList<>();
        for (DecodeRow r : rows) {
            time.computeIfAbsent(r.mask(), k -> new ArrayList<>()).add(new double[] {r.context(), r.msPerToken()});
            if (r.mask().equals("dense") && r.numpyMs() != null) {
                numpyDense.add(new double[] {r.context(), r.numpyMs()});
            }
            if (!r.mask().equals("dense") && r.vsDense() != null) {
                relative.computeIfAbsent(r.mask(), k -> new ArrayList<>()).add(new double[] {r.context(),
                    r.vsDense()});
                kept.computeIfAbsent(r.mask(), k -> new ArrayList<>()).add(new double[] {r.context(),
                    r.keptFraction()});
            }
        }
        List<Series> series = new ArrayList<>();
        int color = 0;
        for (Map.Entry<String, List<double[]>> e : time.entrySet()) {
            series.add(new Series(e.getKey(), e.getValue(), color, false, true));
            if (e.getKey().equals("dense") && !numpyDense.isEmpty()) {
                series.add(new Series("NumPy dense", numpyDense, color, true, true));
            }
            color++;
        }
        ReportWriter.writePng(new LineChart("decode", title, "context (positions in the cache)",
                "ms per token (best)", true, series), file, 1100, 560);
        List<Series> ratios = new ArrayList<>();
        color = 1;
        for (Map.Entry<String, List<double[]>> e : relative.entrySet()) {
            ratios.add(new Series(e.getKey() + " time / dense", e.getValue(), color, false, true));
            ratios.add(new Series(e.getKey() + " kept share", kept.get(e.getKey()), color, true, false));
            color++;
        }
        String name = file.getFileName().toString().replaceFirst("\\.png$", "");
        ReportWriter.writePng(new LineChart("decode-relative", title + ": sparse step / dense step",
                "context (positions in the cache)", "time over dense (solid), kept keys (dashed)", true, ratios),
                file.resolveSibling(name + "-relative.png"), 1100, 560);
    }
}
