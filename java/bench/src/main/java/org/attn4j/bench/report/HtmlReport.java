package org.attn4j.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.attn4j.bench.report.chart.LineChart;
import org.attn4j.bench.report.chart.LineChartRenderer;
import org.attn4j.bench.report.chart.Series;
import org.attn4j.bench.results.BenchDocument;
import org.attn4j.bench.results.BenchRow;
import org.attn4j.bench.results.Environment;
import org.attn4j.bench.results.PeerStatus;
import org.attn4j.bench.results.Settings;

/**
 * One self-contained HTML page: environment, plots as inline SVG, every row in a table. No scripts, no fonts, no
 * style sheets or images from elsewhere: it renders the same offline.
 */
public final class HtmlReport {
    public static final int CHART_WIDTH = 960;
    public static final int CHART_HEIGHT = 460;

    private static final String CSS = "body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}"
            + "h1{font-size:22px}h2{font-size:18px;margin-top:32px}table{border-collapse:collapse;font-size:12px}"
            + "th,td{border:1px solid #ccc;padding:3px 6px;text-align:left}td.n{text-align:right;"
            + "font-variant-numeric:tabular-nums}tr.failed_check td,tr.error td{background:#fde2e2}"
            + "tr.skipped td,tr.unsupported td{color:#888}tr.peer td{background:#f4f7fb}"
            + ".env td:first-child{font-weight:bold}.chart{margin:12px 0}.chart svg{max-width:100%;height:auto}"
            + "p.note{color:#555;font-size:13px}";

    private HtmlReport() {
    }

    public static String render(BenchDocument doc, List<LineChart> throughput, List<LineChart> density) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>attn4j benchmark</title>\n<style>").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>attn4j benchmark</h1>\n");
        environment(sb, doc);
        sb.append("<h2>Throughput versus sequence length</h2>\n");
        sb.append("<p class=\"note\">FLOPs counted as the SPEC says: 2 (D + Dv) P forward with P the allowed pairs,"
                + " backward 2.5 times the forward. Peers dashed.</p>\n");
        charts(sb, throughput);
        sb.append("<h2>Time versus density</h2>\n");
        sb.append("<p class=\"note\">Median time of block-sparse rows against the fraction of pairs kept; the dashed"
                + " line is the ideal d &#215; dense time of the same provider.</p>\n");
        charts(sb, density);
        sb.append("<h2>All rows</h2>\n");
        rows(sb, doc.rows());
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    private static void environment(StringBuilder sb, BenchDocument doc) {
        Environment e = doc.environment();
        Settings s = doc.settings();
        sb.append("<table class=\"env\">\n");
        if (e != null) {
            kv(sb, "date", e.date());
            kv(sb, "commit", e.commit());
            kv(sb, "device", e.device());
            kv(sb, "driver", e.driver());
            kv(sb, "CUDA", e.cuda());
            kv(sb, "JVM", e.jvm());
            kv(sb, "OS", e.os());
            kv(sb, "CPU", e.cpu() + (e.cpuThreads() != null ? " (" + e.cpuThreads() + " threads)" : ""));
            if (e.providers() != null) {
                kv(sb, "providers", String.join("; ", e.providers()));
            }
        }
        if (s != null) {
            kv(sb, "run", (s.quick() ? "quick" : "full") + "; shapes " + s.shapeSets() + "; warm-up " + s.warmup()
                    + ", " + s.minReps() + ".." + s.maxReps() + " repetitions, about " + s.targetSeconds()
                    + " s each; inputs rotated over " + (s.rotateBytes() >> 20) + " MiB"
                    + (s.budgetSeconds() > 0 ? "; budget " + s.budgetSeconds() + " s" : ""));
            kv(sb, "scaling", s.scaling());
        }
        for (PeerStatus p : doc.peers()) {
            kv(sb, "peer " + p.name(), p.status() + (p.note() == null || p.note().isEmpty() ? "" : ": " + p.note()));
        }
        sb.append("</table>\n");
    }

    private static void kv(StringBuilder sb, String key, String value) {
        if (value != null) {
            sb.append("<tr><td>").append(esc(key)).append("</td><td>").append(esc(value)).append("</td></tr>\n");
        }
    }

    private static void charts(StringBuilder sb, List<LineChart> charts) {
        if (charts.isEmpty()) {
            sb.append("<p class=\"note\">No rows of this kind were measured.</p>\n");
        }
        for (LineChart c : charts) {
            // XChart draws text as outlines: the label keeps the title and series names readable to machines.
            String label = c.title() + ": " + c.series().stream().map(Series::name).collect(Collectors.joining(", "));
            sb.append("<div class=\"chart\" id=\"").append(esc(c.id())).append("\" role=\"img\" aria-label=\"")
                    .append(esc(label)).append("\">\n")
                    .append(LineChartRenderer.inlineSvg(c, CHART_WIDTH, CHART_HEIGHT)).append("</div>\n");
        }
    }

    private static void rows(StringBuilder sb, List<BenchRow> rows) {
        sb.append("<table>\n<tr><th>provider</th><th>config</th><th>mask</th><th>dtype</th><th>direction</th>"
                + "<th>median ms</th><th>min ms</th><th>max ms</th><th>reps</th><th>TFLOP/s</th><th>dense-eq TFLOP/s"
                + "</th><th>density</th><th>FLOPs</th><th>rel. error</th><th>vs best peer</th><th>status</th>"
                + "<th>device</th><th>note</th></tr>\n");
        for (BenchRow r : rows) {
            boolean ok = r.isOk();
            sb.append("<tr class=\"").append(r.status().label()).append(r.isPeer() ? " peer" : "").append("\">");
            td(sb, r.displayName(), false);
            td(sb, r.configId(), false);
            td(sb, r.maskDetail(), false);
            td(sb, r.dtype(), false);
            td(sb, r.direction(), false);
            td(sb, ok ? TerminalTable.num(r.timeMs().median()) : "", true);
            td(sb, ok ? TerminalTable.num(r.timeMs().min()) : "", true);
            td(sb, ok ? TerminalTable.num(r.timeMs().max()) : "", true);
            td(sb, ok ? String.valueOf(r.timeMs().reps()) : "", true);
            td(sb, ok ? TerminalTable.num(r.tflops()) : "", true);
            td(sb, ok ? TerminalTable.num(r.denseEquivTflops()) : "", true);
            td(sb, r.work() == null ? "" : String.format(Locale.ROOT, "%.4f", r.work().density()), true);
            td(sb, r.work() == null ? "" : String.format(Locale.ROOT, "%.3g", r.work().flops()), true);
            td(sb, r.check() == null ? "" : r.check().relError() == null ? "NaN"
                    : String.format(Locale.ROOT, "%.2e", r.check().relError()), true);
            td(sb, r.vsPeer() == null ? "" : String.format(Locale.ROOT, "%.2fx vs %s", r.vsPeer().ratio(),
                    r.vsPeer().peer()), false);
            td(sb, r.status().label(), false);
            td(sb, r.device(), false);
            td(sb, r.note(), false);
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    private static void td(StringBuilder sb, String text, boolean numeric) {
        sb.append(numeric ? "<td class=\"n\">" : "<td>").append(esc(text == null ? "" : text)).append("</td>");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
