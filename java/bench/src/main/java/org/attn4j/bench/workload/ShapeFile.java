package org.attn4j.bench.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads user shapes for {@code --shapes FILE} (format in docs/benchmarks/README.md). Shapes from a file run at the
 * size given, whatever the device: they are not scaled.
 *
 * <p>JSON: {@code {"shapes": [{"name": "llama", "batch": 1, "heads": 32, "kv_heads": 8, "seq_q": 4096,
 * "seq_k": 4096, "head_dim": 128, "value_dim": 128, "block": 128, "masks": ["causal", "block_sparse:10"]}]}}.
 * CSV: a header line naming the same columns, masks separated by {@code ;} inside their field, {@code #} comments.
 * Required: batch, heads, seq_q (or seq), head_dim. Defaults: kv_heads = heads, seq_k = seq_q, value_dim = head_dim,
 * block = 128, masks = the attention-gym list, name = "file".
 */
public final class ShapeFile {
    private static final List<String> COLUMNS = List.of("name", "batch", "heads", "kv_heads", "seq", "seq_q",
            "seq_k", "head_dim", "value_dim", "block", "masks");

    private ShapeFile() {
    }

    /** Reads a .json or .csv file (by extension; other names are sniffed: '{' starts JSON). */
    public static List<Shape> read(Path file, Scale scale, List<MaskSpec> maskOverride) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("shapes: no such file '" + file + "' (expected fa, gym or a file)");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean json = name.endsWith(".json") || (!name.endsWith(".csv") && text.stripLeading().startsWith("{"));
        List<Shape> shapes = json ? parseJson(text, scale) : parseCsv(text, scale);
        if (shapes.isEmpty()) {
            throw new IllegalArgumentException("shapes: file '" + file + "' defines no shapes");
        }
        if (maskOverride != null) {
            List<Shape> out = new ArrayList<>();
            for (Shape s : shapes) {
                out.add(s.withMasks(maskOverride));
            }
            return out;
        }
        return shapes;
    }

    static List<Shape> parseJson(String text, Scale scale) throws IOException {
        JsonNode root = new ObjectMapper().readTree(text);
        JsonNode list = root == null ? null : root.get("shapes");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("shapes file: expected a JSON object with an array 'shapes'");
        }
        List<Shape> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode n = list.get(i);
            Map<String, String> fields = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("masks")) {
                    List<String> masks = new ArrayList<>();
                    e.getValue().forEach(m -> masks.add(m.asText()));
                    fields.put("masks", String.join(";", masks));
                } else {
                    fields.put(e.getKey(), e.getValue().asText());
                }
            }
            out.add(toShape(fields, "shapes[" + i + "]", scale));
        }
        return out;
    }

    static List<Shape> parseCsv(String text, Scale scale) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                lines.add(t);
            }
        }
        if (lines.isEmpty()) {
            return List.of();
        }
        String[] header = lines.get(0).split(",", -1);
        for (int c = 0; c < header.length; c++) {
            header[c] = header[c].strip().toLowerCase(Locale.ROOT);
            if (!COLUMNS.contains(header[c])) {
                throw new IllegalArgumentException("shapes file: unknown column '" + header[c] + "'; expected "
                        + String.join(", ", COLUMNS));
            }
        }
        List<Shape> out = new ArrayList<>();
        for (int r = 1; r < lines.size(); r++) {
            String[] cells = lines.get(r).split(",", -1);
            if (cells.length != header.length) {
                throw new IllegalArgumentException("shapes file: line " + (r + 1) + " has " + cells.length
                        + " fields, expected " + header.length + " as in the header " + Arrays.toString(header));
            }
            Map<String, String> fields = new HashMap<>();
            for (int c = 0; c < header.length; c++) {
                if (!cells[c].isBlank()) {
                    fields.put(header[c], cells[c].strip());
                }
            }
            out.add(toShape(fields, "line " + (r + 1), scale));
        }
        return out;
    }

    private static Shape toShape(Map<String, String> f, String where, Scale scale) {
        for (String key : f.keySet()) {
            if (!COLUMNS.contains(key)) {
                throw new IllegalArgumentException("shapes file, " + where + ": unknown field '" + key
                        + "'; expected " + String.join(", ", COLUMNS));
            }
        }
        int batch = integer(f, "batch", where, null);
        int heads = integer(f, "heads", where, null);
        int kvHeads = integer(f, "kv_heads", where, heads);
        Integer seq = f.containsKey("seq") ? integer(f, "seq", where, null) : null;
        int seqQ = integer(f, "seq_q", where, seq);
        int seqK = integer(f, "seq_k", where, seqQ);
        int headDim = integer(f, "head_dim", where, null);
        int valueDim = integer(f, "value_dim", where, headDim);
        int block = integer(f, "block", where, 128);
        List<MaskSpec> masks = f.containsKey("masks")
                ? MaskSpec.parseList(Arrays.asList(f.get("masks").split("[;|]")))
                : MaskSpec.gymDefaults();
        String name = f.getOrDefault("name", "file").replaceAll("[^A-Za-z0-9_.-]", "_");
        try {
            return new Shape(name, scale, batch, heads, kvHeads, seqQ, seqK, headDim, valueDim, block, masks);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("shapes file, " + where + ": " + e.getMessage(), e);
        }
    }

    private static int integer(Map<String, String> f, String key, String where, Integer fallback) {
        String v = f.get(key);
        if (v == null) {
            if (fallback == null) {
                throw new IllegalArgumentException("shapes file, " + where + ": missing '" + key + "'");
            }
            return fallback;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("shapes file, " + where + ": '" + key + "' must be an integer, got '"
                    + v + "'");
        }
    }
}
