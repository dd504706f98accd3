package org.attn4j.model.encdec;

import java.util.Locale;

/**
 * Which keys an attention layer keeps, independently of the attention kind it is used in (how each kind realises it:
 * {@link MaskPlanner}). Parsed from the command line's {@code --attention} values:
 * <ul>
 *   <li>{@code dense}: every key the kind allows (all keys; causal ones in the decoder's self-attention);</li>
 *   <li>{@code window:W,G}: static, a window of {@code W} positions (both sides in the encoder, back in the decoder,
 *       around the proportionally aligned position in cross-attention) plus the first {@code G} positions;</li>
 *   <li>{@code blockmask:F,B}: static, a fixed random choice of tiles of {@code B} keys, the fraction {@code F} of them
 *       per query tile (drawn once per layer from the model's seed; the diagonal tile is always kept);</li>
 *   <li>{@code tokentopk:F}: dynamic, each query keeps its best keys: the fraction {@code F} (a number with a
 *       decimal point, {@code 0 < F <= 1}) of the keys or {@code F} keys (an integer);</li>
 *   <li>{@code blocktopk:K,B}: dynamic, each query keeps its best tiles of {@code B} keys: {@code K} tiles (an
 *       integer) or the fraction {@code K} of them (a decimal).</li>
 * </ul>
 *
 * @param kind         the pattern
 * @param window       {@code W} of a window
 * @param globalTokens {@code G} of a window
 * @param keep         keys or tiles kept: a count ({@code fraction == false}) or a fraction
 * @param fraction     whether {@code keep} is a fraction
 * @param blockSize    {@code B}, the tile width in keys
 */
public record Sparsity(Kind kind, int window, int globalTokens, double keep, boolean fraction, int blockSize) {

    /** The patterns. */
    public enum Kind {
        DENSE, WINDOW, BLOCK_MASK, TOKEN_TOPK, BLOCK_TOPK;

        /** Whether the kept keys depend on the content (chosen per query, per step). */
        public boolean dynamic() {
            return this == TOKEN_TOPK || this == BLOCK_TOPK;
        }
    }

    public Sparsity {
        if (kind == null) {
            throw new IllegalArgumentException("attention: expected a pattern, got null");
        }
        if (window < 0 || globalTokens < 0) {
            throw new IllegalArgumentException("attention: window and global tokens must be >= 0, got " + window
                    + "," + globalTokens);
        }
        if (kind == Kind.TOKEN_TOPK || kind == Kind.BLOCK_TOPK || kind == Kind.BLOCK_MASK) {
            if (fraction ? !(keep > 0 && keep <= 1) : !(keep >= 1 && keep == Math.rint(keep))) {
                throw new IllegalArgumentException("attention: expected a count >= 1 or a fraction in (0, 1], got "
                        + keep);
            }
        }
        if ((kind == Kind.BLOCK_TOPK || kind == Kind.BLOCK_MASK) && blockSize < 1) {
            throw new IllegalArgumentException("attention: expected a block size >= 1, got " + blockSize);
        }
    }

    public static Sparsity dense() {
        return new Sparsity(Kind.DENSE, 0, 0, 0, false, 0);
    }

    public static Sparsity window(int window, int globalTokens) {
        return new Sparsity(Kind.WINDOW, window, globalTokens, 0, false, 0);
    }

    /** Token top-k keeping a fraction of the keys. */
    public static Sparsity tokenTopKFraction(double keep) {
        return new Sparsity(Kind.TOKEN_TOPK, 0, 0, keep, true, 0);
    }

    public static Sparsity tokenTopK(int keys) {
        return new Sparsity(Kind.TOKEN_TOPK, 0, 0, keys, false, 0);
    }

    /** Block top-k keeping a fraction of the tiles of {@code blockSize} keys. */
    public static Sparsity blockTopKFraction(double keep, int blockSize) {
        return new Sparsity(Kind.BLOCK_TOPK, 0, 0, keep, true, blockSize);
    }

    public static Sparsity blockTopK(int blocks, int blockSize) {
        return new Sparsity(Kind.BLOCK_TOPK, 0, 0, blocks, false, blockSize);
    }

    /** A static random block mask keeping a fraction of the tiles. */
    public static Sparsity blockMask(double keep, int blockSize) {
        return new Sparsity(Kind.BLOCK_MASK, 0, 0, keep, true, blockSize);
    }

    /**
     * Parses {@code dense}, {@code window:W,G}, {@code blockmask:F,B}, {@code tokentopk:F} or {@code blocktopk:K,B}.
     *
     * @throws IllegalArgumentException starting with {@code attention:} when the text is none of these
     */
    public static Sparsity parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        int colon = t.indexOf(':');
        String name = colon < 0 ? t : t.substring(0, colon);
        String[] args = colon < 0 ? new String[0] : t.substring(colon + 1).split(",", -1);
        try {
            switch (name) {
                case "dense":
                    expectArgs(text, args, 0);
                    return dense();
                case "window":
                    expectArgs(text, args, 2);
                    return window(Integer.parseInt(args[0].trim()), Integer.parseInt(args[1].trim()));
                case "blockmask":
                    expectArgs(text, args, 2);
                    return new Sparsity(Kind.BLOCK_MASK, 0, 0, Double.parseDouble(args[0].trim()), true,
                            Integer.parseInt(args[1].trim()));
                case "tokentopk":
                    expectArgs(text, args, 1);
                    return isFraction(args[0]) ? tokenTopKFraction(Double.parseDouble(args[0].trim()))
                            : tokenTopK(Integer.parseInt(args[0].trim()));
                case "blocktopk":
                    expectArgs(text, args, 2);
                    int b = Integer.parseInt(args[1].trim());
                    return isFraction(args[0]) ? blockTopKFraction(Double.parseDouble(args[0].trim()), b)
                            : blockTopK(Integer.parseInt(args[0].trim()), b);
                default:
                    throw new IllegalArgumentException("attention: expected dense, window:W,G, blockmask:F,B,"
                            + " tokentopk:F or blocktopk:K,B, got '" + text + "'");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("attention: malformed number in '" + text + "'");
        }
    }

    private static boolean isFraction(String s) {
        return s.contains(".") || s.contains("e");
    }

    private static void expectArgs(String text, String[] args, int n) {
        if (args.length != n) {
            throw new IllegalArgumentException("attention: '" + text + "' expects " + n + " value"
                    + (n == 1 ? "" : "s") + " after the colon");
        }
    }

    /** Keys kept out of {@code n} candidates (at least one, at most {@code n}). */
    public int keys(int n) {
        return resolve(n);
    }

    /** Tiles kept out of {@code n} candidate tiles. */
    public int blocks(int n) {
        return resolve(n);
    }

    private int resolve(int n) {
        if (n <= 0) {
            return 0;
        }
        int k = fraction ? (int) Math.ceil(keep * n - 1e-9) : (int) keep;
        return Math.max(1, Math.min(n, k));
    }

    /** The command-line form, e.g. {@code tokentopk:0.3} or {@code blocktopk:2,16}. */
    public String label() {
        switch (kind) {
            case DENSE:
                return "dense";
            case WINDOW:
                return "window:" + window + "," + globalTokens;
            case BLOCK_MASK:
                return "blockmask:" + number() + "," + blockSize;
            case TOKEN_TOPK:
                return "tokentopk:" + number();
            default:
                return "blocktopk:" + number() + "," + blockSize;
        }
    }

    private String number() {
        return fraction ? String.valueOf(keep) : String.valueOf((int) keep);
    }

    @Override
    public String toString() {
        return label();
    }
}
