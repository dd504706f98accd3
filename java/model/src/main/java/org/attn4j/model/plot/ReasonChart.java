package org.attn4j.model.plot;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.attn4j.model.io.Json;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Figures of reasoning runs ({@code ./attn4j reason --json}), drawn with XChart: one panel per metric, side by side.
 * Each run's JSON becomes one row per test (its settings, its headline figures and the test's own fields, the test's
 * winning, plus {@code alpha}, {@code sparsity} and {@code variant}, see {@link #rows}), so any of them can be the x
 * axis, the category, the series or the value:
 * <ul>
 *   <li>{@link Kind#LINES}: the metric against a numeric field (e.g. accuracy against {@code input_length}, or
 *       against {@code alpha}), one line per series;</li>
 *   <li>{@link Kind#BARS}: the metric per category (e.g. per task), one bar per series.</li>
 * </ul>
 */
public final class ReasonChart {
    /** The chart kind. */
    public enum Kind {
        LINES, BARS
    }

    private static final Color[] COLORS = {
        new Color(0x1F, 0x77, 0xB4), new Color(0xFF, 0x7F, 0x0E), new Color(0x2C, 0xA0, 0x2C),
        new Color(0xD6, 0x27, 0x28), new Color(0x94, 0x67, 0xBD), new Color(0x8C, 0x56, 0x4B),
        new Color(0xE3, 0x77, 0xC2), new Color(0x7F, 0x7F, 0x7F), new Color(0xBC, 0xBD, 0x22),
        new Color(0x17, 0xBE, 0xCF)
    };
    static final int PANEL_WIDTH = 560;
    static final int PANEL_HEIGHT = 440;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ReasonChart() {
    }

    /**
     * What to draw.
     *
     * @param kind    lines or bars
     * @param x       the x field (lines) or the category field (bars)
     * @param metrics one panel per metric
     * @param series  the fields whose values, joined, name a series
     * @param where   keep only rows whose field has this value (as text)
     * @param logX    logarithmic x axis (lines)
     * @param logY    logarithmic y axes (lines; panels of metrics with a value of 0 or less stay linear)
     * @param title   printed above every panel, before the metric's name
     */
    public record Spec(Kind kind, String x, List<String> metrics, List<String> series, Map<String, String> where,
                       boolean logX, boolean logY, String title) {
        public Spec {
            if (kind == null) {
                throw new IllegalArgumentException("kind: expected lines or bars, got null");
            }
            if (x == null || x.isBlank()) {
                throw new IllegalArgumentException("x: expected a field name");
            }
            if (metrics == null || metrics.isEmpty()) {
                throw new IllegalArgumentException("metrics: expected at least one field");
            }
            series = series == null ? List.of() : List.copyOf(series);
            where = where == null ? Map.of() : Map.copyOf(where);
            metrics = List.copyOf(metrics);
        }
    }

    /**
     * The rows of reasoning-run JSON files, one per test, with three derived fields: {@code alpha} (the fraction of
     * keys a {@code tokentopk}, {@code blocktopk} or {@code blockmask} fraction drops, or the feature mask's alpha),
     * {@code sparsity} (the pattern's name, e.g. {@code tokentopk}) and {@code variant} ({@code sparsity}, with
     * {@code + M_t} when the feature mask is on; {@code M_t} alone on dense attention).
     */
    public static List<Map<String, Object>> rows(List<Path> files) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Path f : files) {
            JsonNode run = Json.mapper().readTree(f.toFile());
            if (!run.has("tests") || !run.has("settings")) {
                throw new IllegalArgumentException(f + ": not the JSON of a reasoning run (no tests or settings)");
            }
            Map<String, Object> base = new LinkedHashMap<>();
            base.put("file", f.getFileName().toString());
            flatten(run.get("settings"), base);
            for (Iterator<Map.Entry<String, JsonNode>> it = run.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isValueNode()) {
                    base.put(e.getKey(), value(e.getValue()));
                }
            }
            // Derived fields: alpha, the fraction of keys or features dropped, whichever the run varied; sparsity,
            // the attention pattern's name; variant, the pattern with the feature mask when there is one.
            base.put("alpha", alpha(base));
            String attention = String.valueOf(base.get("attention"));
            String sparsity = attention.contains(":") ? attention.substring(0, attention.indexOf(':')) : attention;
            base.put("sparsity", sparsity);
            Double mask = number(base.get("feature_mask"));
            boolean masked = mask != null && mask > 0;
            base.put("variant", masked ? (sparsity.equals("dense") ? "M_t" : sparsity + " + M_t") : sparsity);
            for (JsonNode t : run.get("tests")) {
                Map<String, Object> row = new LinkedHashMap<>(base);
                flatten(t, row);
                rows.add(row);
            }
        }
        return rows;
    }

    /** Draws {@code spec} from {@code rows} into a PNG. */
    public static void write(Path png, Spec spec, List<Map<String, Object>> rows) throws IOException {
        List<Map<String, Object>> kept = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            boolean ok = true;
            for (Map.Entry<String, String> w : spec.where().entrySet()) {
                ok &= w.getValue().equals(text(r.get(w.getKey())));
            }
            if (ok) {
                kept.add(r);
            }
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("where: no row of the files matches " + spec.where());
        }
        List<Chart<?, ?>> panels = new ArrayList<>();
        for (String metric : spec.metrics()) {
            panels.add(spec.kind() == Kind.LINES ? lines(spec, metric, kept) : bars(spec, metric, kept));
        }
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(panels, 1, panels.size(), out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static XYChart lines(Spec spec, String metric, List<Map<String, Object>> rows) {
        XYChart c = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title(spec, metric))
                .xAxisTitle(spec.x()).yAxisTitle(metric).build();
        style(c.getStyler());
        c.getStyler().setXAxisLogarithmic(spec.logX());
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setMarkerSize(7);
        Map<String, TreeMap<Double, Double>> series = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            Double x = number(r.get(spec.x()));
            Double y = number(r.get(metric));
            if (x == null || y == null || (spec.logX() && x <= 0)) {
                continue;
            }
            series.computeIfAbsent(seriesName(spec, r), k -> new TreeMap<>()).put(x, y);
        }
        boolean positive = series.values().stream().allMatch(m -> m.values().stream().allMatch(v -> v > 0));
        c.getStyler().setYAxisLogarithmic(spec.logY() && positive);
        int i = 0;
        for (Map.Entry<String, TreeMap<Double, Double>> e : series.entrySet()) {
            double[] xs = e.getValue().keySet().stream().mapToDouble(Double::doubleValue).toArray();
            double[] ys = e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
            XYSeries s = c.addSeries(e.getKey(), xs, ys);
            Color color = COLORS[i++ % COLORS.length];
            s.setLineColor(color);
            s.setMarkerColor(color);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        return c;
    }

    private static CategoryChart bars(Spec spec, String metric, List<Map<String, Object>> rows) {
        CategoryChart c = new CategoryChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                .title(title(spec, metric)).xAxisTitle(spec.x()).yAxisTitle(metric).build();
        style(c.getStyler());
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setAvailableSpaceFill(0.8);
        Set<String> categories = new LinkedHashSet<>();
        Map<String, Map<String, Double>> series = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            Double y = number(r.get(metric));
            String cat = text(r.get(spec.x()));
            categories.add(cat);
            if (y != null) {
                series.computeIfAbsent(seriesName(spec, r), k -> new LinkedHashMap<>()).put(cat, y);
            }
        }
        List<String> cats = new ArrayList<>(categories);
        int i = 0;
        for (Map.Entry<String, Map<String, Double>> e : series.entrySet()) {
            List<Double> ys = new ArrayList<>();
            for (String cat : cats) {
                // a missing bar is drawn as 0 height; XChart needs a value for every category
                ys.add(e.getValue().getOrDefault(cat, 0.0));
            }
            c.addSeries(e.getKey(), cats, ys).setFillColor(COLORS[i++ % COLORS.length]);
        }
        return c;
    }

    private static void style(AxesChartStyler st) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setLegendBackgroundColor(new Color(255, 255, 255, 230));
        st.setPlotGridLinesColor(new Color(225, 225, 225));
    }

    private static String title(Spec spec, String metric) {
        return spec.title() == null || spec.title().isBlank() ? metric : spec.title() + ": " + metric;
    }

    private static String seriesName(Spec spec, Map<String, Object> r) {
        if (spec.series().isEmpty()) {
            return "runs";
        }
        StringBuilder sb = new StringBuilder();
        for (String f : spec.series()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(text(r.get(f)));
        }
        return sb.toString();
    }

    private static Object alpha(Map<String, Object> base) {
        Double mask = number(base.get("feature_mask"));
        if (mask != null && mask > 0) {
            return mask;
        }
        Object attention = base.get("attention");
        if (attention instanceof String) {
            String a = (String) attention;
            int colon = a.indexOf(':');
            if (colon > 0 && (a.startsWith("tokentopk") || a.startsWith("blocktopk") || a.startsWith("blockmask"))) {
                String first = a.substring(colon + 1).split(",")[0];
                if (first.contains(".")) {
                    return Math.round((1 - Double.parseDouble(first)) * 1e6) / 1e6;
                }
            }
        }
        return 0.0;
    }

    private static void flatten(JsonNode node, Map<String, Object> into) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isValueNode()) {
                into.put(e.getKey(), value(e.getValue()));
            }
        }
    }

    private static Object value(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        return v.asText();
    }

    private static Double number(Object o) {
        return o instanceof Double ? (Double) o : null;
    }

    /** Numbers without a needless ".0", so that {@code input_length=64} matches. */
    static String text(Object o) {
        if (o instanceof Double) {
            double d = (Double) o;
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
        }
        return String.valueOf(o);
    }
}
