package org.attn4j.bench.workload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A mask as the user names it: a family and, for some, one parameter (window length, document count, block density,
 * k). Without a parameter the family's default for the shape applies ({@link MaskInstance#resolve}).
 *
 * <p>Syntax: {@code dense, causal, sliding_window[:W], document[:N], block_sparse[:P], block_topk[:K],
 * token_topk[:K], sparsemax, entmax15}. {@code P} is a percentage ({@code 10}) or a fraction ({@code 0.1});
 * {@code block_sparse_10} is accepted for {@code block_sparse:10}. {@code all} names the attention-gym list.
 *
 * @param param the parameter, or {@code null} for the default
 */
public record MaskSpec(MaskFamily family, Double param) {

    public MaskSpec {
        Objects.requireNonNull(family, "family");
        if (param != null && !family.parameterized()) {
            throw new IllegalArgumentException("masks: '" + family.id() + "' takes no parameter, got " + param);
        }
        if (param != null && (param.isNaN() || param <= 0)) {
            throw new IllegalArgumentException("masks: parameter of '" + family.id() + "' must be > 0, got "
                    + param);
        }
        if (family == MaskFamily.BLOCK_SPARSE && param != null && param > 1) {
            throw new IllegalArgumentException("masks: block_sparse density must be a fraction <= 1, got " + param);
        }
    }

    public static MaskSpec of(MaskFamily family) {
        return new MaskSpec(family, null);
    }

    /** A block-sparse mask keeping {@code density} (0..1] of the tiles. */
    public static MaskSpec blockSparse(double density) {
        return new MaskSpec(MaskFamily.BLOCK_SPARSE, density);
    }

    /** The masks FlashAttention's benchmark sweeps: dense and causal. */
    public static List<MaskSpec> flashAttentionDefaults() {
        return List.of(of(MaskFamily.DENSE), of(MaskFamily.CAUSAL));
    }

    /**
     * The masks run on attention-gym's shape: dense, causal, sliding window, document, block-sparse at 50/20/10/5%,
     * block top-k, token top-k, sparsemax, entmax-1.5.
     */
    public static List<MaskSpec> gymDefaults() {
        return List.of(of(MaskFamily.DENSE), of(MaskFamily.CAUSAL), of(MaskFamily.SLIDING_WINDOW),
                of(MaskFamily.DOCUMENT), blockSparse(0.5), blockSparse(0.2), blockSparse(0.1), blockSparse(0.05),
                of(MaskFamily.BLOCK_TOPK), of(MaskFamily.TOKEN_TOPK), of(MaskFamily.SPARSEMAX),
                of(MaskFamily.ENTMAX15));
    }

    /** Parses one mask name (see the class comment). */
    public static MaskSpec parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        if (t.equals("entmax_1.5") || t.equals("entmax1.5")) {
            t = "entmax15";
        }
        String name = t;
        String arg = null;
        int colon = t.indexOf(':');
        if (colon >= 0) {
            name = t.substring(0, colon);
            arg = t.substring(colon + 1);
        } else if (t.startsWith("block_sparse_")) {
            name = "block_sparse";
            arg = t.substring("block_sparse_".length());
        }
        MaskFamily family = MaskFamily.byId(name);
        if (family == null) {
            throw new IllegalArgumentException("masks: unknown mask '" + text + "'; expected one of "
                    + Arrays.stream(MaskFamily.values()).map(MaskFamily::id).collect(Collectors.joining(", "))
                    + " (parameters as name:value), or all");
        }
        if (arg == null || arg.isEmpty()) {
            return of(family);
        }
        double value;
        try {
            value = Double.parseDouble(arg.endsWith("%") ? arg.substring(0, arg.length() - 1) : arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("masks: parameter of '" + name + "' must be a number, got '" + arg
                    + "'");
        }
        if (family == MaskFamily.BLOCK_SPARSE && (value > 1 || arg.endsWith("%") || colon < 0)) {
            value = value / 100.0;
        }
        return new MaskSpec(family, value);
    }

    /** Parses a list of names, each possibly comma-separated; {@code all} expands to {@link #gymDefaults()}. */
    public static List<MaskSpec> parseList(List<String> items) {
        List<MaskSpec> out = new ArrayList<>();
        for (String item : items) {
            for (String part : item.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                if (part.trim().equalsIgnoreCase("all")) {
                    out.addAll(gymDefaults());
                } else {
                    out.add(parse(part));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("masks: expected at least one mask name");
        }
        return out.stream().distinct().collect(Collectors.toList());
    }

    /** Canonical text, parseable by {@link #parse}: {@code block_sparse:0.1}, {@code causal}. */
    @Override
    public String toString() {
        if (param == null) {
            return family.id();
        }
        return family.id() + ":" + (param == Math.rint(param) ? String.valueOf(param.longValue()) : param.toString());
    }
}
