package org.attn4j.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.attn4j.bench.report.chart.LineChart;
import org.attn4j.bench.results.Accuracy;
import org.attn4j.bench.results.BenchDocument;
import org.attn4j.bench.results.BenchRow;
import org.attn4j.bench.results.Environment;
import org.attn4j.bench.results.PeerStatus;
import org.attn4j.bench.results.RowStatus;
import org.attn4j.bench.results.Settings;
import org.attn4j.bench.results.ShapeDims;
import org.attn4j.bench.results.TimeStats;
import org.attn4j.bench.results.WorkCount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    static BenchRow row(String provider, String kind, String set, int seq, String family, String detail,
                        double density, double ms) {
        long dense = 4L * 8 * seq * seq;
        long pairs = Math.round(dense * density);
        double flops = 2.0 * 128 * pairs;
        return new BenchRow(provider, kind, kind.equals("peer") ? "impl" : "X", "cpu: t", "cpu",
                set + "/s" + seq + "/" + detail, set, "cpu", new ShapeDims(4, 8, 8, seq, seq, 64, 64), family,
                detail, "softmax", "fp32", "forward", RowStatus.OK, "", new TimeStats(ms, ms, ms, ms, 3, 1,
                "host-wall"), new WorkCount(pairs, dense, density, flops, 2.0 * 128 * dense),
                flops / (ms * 1e-3) / 1e12, 2.0 * 128 * dense / (ms * 1e-3) / 1e12, new Accuracy(1e-7, 1e-5, "s"), null);
    }

    static BenchDocument sample() {
        List<BenchRow> rows = new ArrayList<>();
        for (int seq : new int[] {256, 512, 1024, 2048}) {
            rows.add(row("cpu", "attn4j", "fa", seq, "dense", "dense", 1, seq / 100.0));
            rows.add(row("cpu", "attn4j", "fa", seq, "causal", "causal", 0.5, seq / 180.0));
            rows.add(row("numpy", "peer", "fa", seq, "dense", "dense", 1, seq / 20.0));
        }
        rows.add(row("cpu", "attn4j", "gym", 2048, "dense", "dense", 1, 40));
        for (double d : new double[] {0.5, 0.2, 0.1, 0.05}) {
            rows.add(row("cpu", "attn4j", "gym", 2048, "block_sparse", "block_sparse(" + (int) (d * 100) + "%)", d,
                    40 * d + 1));
        }
        rows.add(new BenchRow("cpu", "attn4j", "X", "cpu: t", "cpu", "gym/x/<script>", "gym", "cpu",
                new ShapeDims(1, 1, 1, 8, 8, 8, 8), "dense", "<script>alert(1)</script>", "softmax", "fp32", "forward",
                RowStatus.FAILED_CHECK, "relative error 1 > 1e-5 & \"more\"", null, null, null, null, null, null));
        Environment env = new Environment("2026-01-01T00:00:00Z", "abc", "cpu: t", null, null, "jvm", "os", "cpu", 2,
                Map.of(), List.of("cpu (priority 100): available - x"));
        Settings s = new Settings(true, List.of("fa", "gym"), List.of("default"), List.of("fp32"), "scaled", 1, 3, 10,
                1, 75, 1 << 28);
        return new BenchDocument(BenchDocument.SCHEMA, "t", env, s, List.of(new PeerStatus("numpy", "ok", "")),
                rows);
    }

    @Test
    void chartsFromRows() {
        BenchDocument doc = sample();
        List<LineChart> tp = ReportCharts.throughputBySequence(doc.rows());
        assertEquals(1, tp.size());
        assertEquals(3, tp.get(0).series().size(), "cpu dense, cpu causal, numpy dense");
        assertTrue(tp.get(0).series().get(2).dashed(), "peers dashed");
        assertEquals(4, tp.get(0).series().get(0).points().size());
        List<LineChart> dens = ReportCharts.timeByDensity(doc.rows());
        assertEquals(1, dens.size());
        LineChart c = dens.get(0);
        assertEquals(2, c.series().size(), "measured points and the ideal line");
        assertEquals(5, c.series().get(0).points().size(), "dense plus four densities");
        double[] ideal = c.series().get(1).points().get(1);
        assertEquals(1.0, ideal[0]);
        assertEquals(40.0, ideal[1], "ideal line ends at the dense time");
    }

    @Test
    void htmlRendersOfflineWithBothPlots() {
        BenchDocument doc = sample();
        String html = HtmlReport.render(doc, ReportCharts.throughputBySequence(doc.rows()),
                ReportCharts.timeByDensity(doc.rows()));
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertEquals(2, count(html, "<svg "), "one throughput and one density plot");
        assertTrue(html.contains("id=\"tflops-cpu-fp32-forward-d64\""));
        assertTrue(html.contains("ideal d x dense"), "series names in the charts' labels");
        assertTrue(html.contains("<path"));
        String lower = html.toLowerCase(Locale.ROOT);
        for (String network : List.of("http://", "https://", "//cdn", "<script", "<link", "@import", "src=",
                "<iframe", "<img")) {
            assertFalse(lower.contains(network), "no network reference or script: " + network);
        }
        // SVG clip paths refer to the same document (url(#id)); anything else would be fetched.
        assertFalse(lower.replace("url(#", "").contains("url("), "no url() outside the page");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "row text escaped");
        assertTrue(html.contains("relative error 1 &gt; 1e-5 &amp; &quot;more&quot;"));
        assertTrue(html.contains("class=\"failed_check\""));
    }

    @Test
    void reportFolderWithPngs(@TempDir Path dir) throws IOException {
        List<Path> files = ReportWriter.write(sample(), dir);
        assertTrue(files.contains(dir.resolve("index.html")));
        assertTrue(files.contains(dir.resolve("results.json")));
        assertTrue(files.contains(dir.resolve("results.csv")));
        List<Path> pngs = files.stream().filter(p -> p.toString().endsWith(".png")).toList();
        assertEquals(2, pngs.size());
        for (Path p : pngs) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertEquals(HtmlReport.CHART_WIDTH, img.getWidth());
            assertEquals(HtmlReport.CHART_HEIGHT, img.getHeight());
            assertTrue(distinctColors(img) > 5, "something was drawn in " + p);
        }
    }

    @Test
    void terminalTable() {
        String t = TerminalTable.render(sample().rows());
        String[] lines = t.split("\n");
        assertEquals(sample().rows().size() + 2, lines.length);
        assertTrue(lines[0].startsWith("provider"));
        assertTrue(t.contains("failed_check: relative error"));
        assertTrue(t.contains("numpy/impl"));
        // Each NumPy row sits right under attn4j's row of the same configuration.
        int seen = 0;
        for (int i = 2; i < lines.length; i++) {
            if (lines[i].startsWith("numpy/impl")) {
                String config = lines[i].substring("numpy/impl".length()).trim().split(" {2,}")[0];
                assertTrue(lines[i - 1].startsWith("cpu ") && lines[i - 1].contains(config), t);
                seen++;
            }
        }
        assertEquals(4, seen);
    }

    private static int count(String s, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static int distinctColors(BufferedImage img) {
        java.util.Set<Integer> colors = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colors.add(img.getRGB(x, y));
            }
        }
        return colors.size();
    }
}
