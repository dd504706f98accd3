package org.attn4j.bench.results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Rows as CSV (RFC 4180 quoting), one line per row, nested fields flattened; the columns are {@link #HEADER}. */
public final class CsvWriter {
    public static final List<String> HEADER = List.of("provider", "kind", "implementation", "device", "device_kind",
            "config_id", "shape_set", "scale", "batch", "heads_q", "heads_kv", "seq_q", "seq_k", "head_dim",
            "value_dim", "mask", "mask_detail", "normalizer", "dtype", "direction", "status", "note",
            "time_ms_median", "time_ms_min", "time_ms_max", "time_ms_mean", "reps", "warmup", "timer",
            "allowed_pairs", "dense_pairs", "density", "flops", "dense_flops", "tflops", "dense_equiv_tflops",
            "rel_error", "tolerance", "best_peer", "best_peer_tflops", "ratio_vs_best_peer");

    private CsvWriter() {
    }

    public static String toCsv(List<BenchRow> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", HEADER)).append('\n');
        for (BenchRow r : rows) {
            List<Object> cells = new ArrayList<>();
            cells.add(r.provider());
            cells.add(r.kind());
            cells.add(r.implementation());
            cells.add(r.device());
            cells.add(r.deviceKind());
            cells.add(r.configId());
            cells.add(r.shapeSet());
            cells.add(r.scale());
            ShapeDims s = r.shape();
            cells.add(s == null ? null : s.batch());
            cells.add(s == null ? null : s.headsQ());
            cells.add(s == null ? null : s.headsKv());
            cells.add(s == null ? null : s.seqQ());
            cells.add(s == null ? null : s.seqK());
            cells.add(s == null ? null : s.headDim());
            cells.add(s == null ? null : s.valueDim());
            cells.add(r.mask());
            cells.add(r.maskDetail());
            cells.add(r.normalizer());
            cells.add(r.dtype());
            cells.add(r.direction());
            cells.add(r.status() == null ? null : r.status().label());
            cells.add(r.note());
            TimeStats t = r.timeMs();
            cells.add(t == null ? null : t.median());
            cells.add(t == null ? null : t.min());
            cells.add(t == null ? null : t.max());
            cells.add(t == null ? null : t.mean());
            cells.add(t == null ? null : t.reps());
            cells.add(t == null ? null : t.warmup());
            cells.add(t == null ? null : t.timer());
            WorkCount w = r.work();
            cells.add(w == null ? null : w.allowedPairs());
            cells.add(w == null ? null : w.densePairs());
            cells.add(w == null ? null : w.density());
            cells.add(w == null ? null : w.flops());
            cells.add(w == null ? null : w.denseFlops());
            cells.add(r.tflops());
            cells.add(r.denseEquivTflops());
            Accuracy a = r.check();
            cells.add(a == null ? null : a.relError());
            cells.add(a == null ? null : a.tolerance());
            PeerRatio p = r.vsPeer();
            cells.add(p == null ? null : p.peer());
            cells.add(p == null ? null : p.peerTflops());
            cells.add(p == null ? null : p.ratio());
            for (int i = 0; i < cells.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(cell(cells.get(i)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public static void write(List<BenchRow> rows, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toCsv(rows));
    }

    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String text = value instanceof Double ? String.format(Locale.ROOT, "%.6g", (Double) value)
                : value.toString();
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
