package org.attn4j.bench.report;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.attn4j.bench.report.chart.ChartPainter;
import org.attn4j.bench.report.chart.Java2DCanvas;
import org.attn4j.bench.report.chart.LineChart;
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

    /** Renders one chart to a PNG file with Java2D (headless). */
    public static void writePng(LineChart chart, Path file, int width, int height) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            ChartPainter.paint(chart, new Java2DCanvas(g), width, height);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
    }
}
