package org.attn4j.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import org.attn4j.bench.results.BenchRow;

/** The results as a fixed-width text table, peers below the attn4j rows of the same configuration. */
public final class TerminalTable {
    private static final String[] HEAD = {"provider", "shape", "mask", "dtype", "dir", "median ms", "min", "max",
        "TFLOP/s", "dense-eq", "density", "rel err", "vs best peer", "status"};

    private TerminalTable() {
    }

    public static String render(List<BenchRow> rows) {
        List<String[]> lines = new ArrayList<>();
        lines.add(HEAD);
        for (BenchRow r : grouped(rows)) {
            boolean ok = r.isOk();
            String shape = r.shapeSet() + " " + (r.shape() == null ? "" : describe(r));
            lines.add(new String[] {
                r.displayName(), shape, r.maskDetail(), r.dtype(), r.direction().startsWith("b") ? "bwd" : "fwd",
                ok ? num(r.timeMs().median()) : "-", ok ? num(r.timeMs().min()) : "-",
                ok ? num(r.timeMs().max()) : "-", ok ? num(r.tflops()) : "-", ok ? num(r.denseEquivTflops()) : "-",
                r.work() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.work().density()),
                r.check() == null ? "-" : r.check().relError() == null ? "NaN"
                        : String.format(Locale.ROOT, "%.1e", r.check().relError()),
                r.vsPeer() == null ? "" : String.format(Locale.ROOT, "%.2fx %s", r.vsPeer().ratio(), r.vsPeer().peer()),
                r.status().label() + (ok || r.note() == null || r.note().isEmpty() ? "" : ": " + shorten(r.note()))});
        }
        int[] width = new int[HEAD.length];
        for (String[] l : lines) {
            for (int c = 0; c < l.length; c++) {
                width[c] = Math.max(width[c], l[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String[] l = lines.get(i);
            for (int c = 0; c < l.length; c++) {
                boolean numeric = c >= 5 && c <= 11;
                String cell = l[c];
                String pad = " ".repeat(width[c] - cell.length());
                sb.append(numeric ? pad + cell : cell + (c == l.length - 1 ? "" : pad));
                if (c < l.length - 1) {
                    sb.append("  ");
                }
            }
            sb.append('\n');
            if (i == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                sb.append("-".repeat(Math.max(0, total - 2))).append('\n');
            }
        }
        return sb.toString();
    }

    /** Rows in first-seen order of (configuration, type, direction), attn4j rows before the peers' of the same. */
    static List<BenchRow> grouped(List<BenchRow> rows) {
        Map<String, Integer> firstSeen = new HashMap<>();
        for (BenchRow r : rows) {
            firstSeen.putIfAbsent(r.configId() + "|" + r.dtype() + "|" + r.direction(), firstSeen.size());
        }
        List<BenchRow> out = new ArrayList<>(rows);
        out.sort(Comparator.comparingInt((BenchRow r) -> firstSeen.get(r.configId() + "|" + r.dtype() + "|"
                + r.direction())).thenComparing(BenchRow::isPeer));
        return out;
    }

    private static String describe(BenchRow r) {
        var s = r.shape();
        String heads = s.headsKv() == s.headsQ() ? String.valueOf(s.headsQ()) : s.headsQ() + "/" + s.headsKv();
        String seq = s.seqQ() == s.seqK() ? "S=" + s.seqQ() : "Nq=" + s.seqQ() + " Nk=" + s.seqK();
        return "B=" + s.batch() + " H=" + heads + " " + seq + " D=" + s.headDim();
    }

    private static String shorten(String note) {
        return note.length() > 90 ? note.substring(0, 89) + "…" : note;
    }

    static String num(Double v) {
        if (v == null) {
            return "-";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
