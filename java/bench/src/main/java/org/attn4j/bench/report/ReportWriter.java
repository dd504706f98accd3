package org.attn4j.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.attn4j.bench.report.chart.LineChart;
import org.attn4j.bench.report.chart.LineChartRenderer;
import org.attn4j.bench.results.BenchDocument;
import org.attn4j.bench.results.CsvWriter;
import org.attn4j.bench.results.JsonCodec;

/**
 * Writes a report folder: {@code index.html} (offline, inline SVG plots), {@code results.json},
 * {@code results.csv}, and one PNG per plot (for READMEs), named after the plot's id.
 */
public final class ReportWriter {
    private ReportWriter() {
    }

    /** Writes every file and returns their paths. */
    public static List<Path> write(BenchDocument doc, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<LineChart> throughput = ReportCharts.throughputBySequence(doc.rows());
        List<LineChart> density = ReportCharts.timeByDensity(doc.rows());
        List<Path> written = new ArrayList<>();
        Path html = dir.resolve("index.html");
        Files.writeString(html, HtmlReport.render(doc, throughput, density));
        written.add(html);
        Path json = dir.resolve("results.json");
        JsonCodec.write(doc, json);
        written.add(json);
        Path csv = dir.resolve("results.csv");
        CsvWriter.write(doc.rows(), csv);
        written.add(csv);
        List<LineChart> all = new ArrayList<>(throughput);
        all.addAll(density);
        for (LineChart c : all) {
            Path png = dir.resolve(c.id() + ".png");
            writePng(c, png, HtmlReport.CHART_WIDTH, HtmlReport.CHART_HEIGHT);
            written.add(png);
        }
        return written;
    }

    /** Renders one chart to a PNG file (headless). */
    public static void writePng(LineChart chart, Path file, int width, int height) throws IOException {
        LineChartRenderer.writePng(chart, file, width, height);
    }
}
