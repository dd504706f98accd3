package org.attn4j.bench.decode;

import java.util.Locale;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.KvCacheConfig;

/**
 * A decode mask as the command line spells it: {@code dense}, {@code window:LEFT[,GLOBAL]},
 * {@code blocktopk:K[,BLOCK][,group]} ({@code K} a count of blocks, or a percentage of the context such as
 * {@code 10%}: the selected blocks plus the query's own then hold about that share of the keys; {@code group}: chosen
 * once per kv head group), {@code tokentopk:K}, or several joined by {@code +} (e.g.
 * {@code window:1024,16+blocktopk:8,64}).
 *
 * @param windowLeft -1 for none
 * @param blockTopK  blocks kept besides the own block (0: none); see {@link #blocksFor(int)}
 * @param blockShare the share of the context block top-k keeps when given as a percentage, else {@code NaN}
 * @param blockSize  block size of the cache (default {@value KvCacheConfig#DEFAULT_BLOCK_SIZE})
 * @param tokenTopK  0 for none
 */
public record DecodeMaskSpec(String label, int windowLeft, int globalTokens, int blockTopK, double blockShare,
                             int blockSize, boolean blocksPerGroup, int tokenTopK) {

    public static DecodeMaskSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("mask: expected dense, window:LEFT[,GLOBAL], blocktopk:K[,BLOCK][,group],"
                    + " tokentopk:K or a '+' combination, got '" + text + "'");
        }
        String spec = text.trim().toLowerCase(Locale.ROOT);
        int left = -1;
        int global = 0;
        int blocks = 0;
        double share = Double.NaN;
        int blockSize = KvCacheConfig.DEFAULT_BLOCK_SIZE;
        int tokens = 0;
        boolean perGroup = false;
        if (!spec.equals("dense")) {
            for (String part : spec.split("\\+")) {
                String[] kv = part.split(":", 2);
                String[] args = kv.length > 1 ? kv[1].split(",") : new String[0];
                switch (kv[0]) {
                    case "window":
                        left = number(text, "window LEFT", args, 0, -1);
                        global = args.length > 1 ? number(text, "window GLOBAL", args, 1, 0) : 0;
                        break;
                    case "blocktopk":
                        if (args.length > 0 && args[0].endsWith("%")) {
                            share = percent(text, args[0]);
                        } else {
                            blocks = number(text, "blocktopk K", args, 0, 1);
                        }
                        int extra = args.length;
                        if (extra > 1 && args[extra - 1].trim().equals("group")) {
                            perGroup = true;
                            extra--;
                        }
                        blockSize = extra > 1 ? number(text, "blocktopk BLOCK", args, 1, 1) : blockSize;
                        break;
                    case "tokentopk":
                        tokens = number(text, "tokentopk K", args, 0, 1);
                        break;
                    default:
                        throw new IllegalArgumentException("mask: unknown part '" + part + "' in '" + text
                                + "'; expected dense, window:LEFT[,GLOBAL], blocktopk:K[,BLOCK], tokentopk:K");
                }
            }
        }
        return new DecodeMaskSpec(spec, left, global, blocks, share, blockSize, perGroup, tokens);
    }

    private static int number(String text, String what, String[] args, int index, int min) {
        if (args.length <= index || args[index].isBlank()) {
            throw new IllegalArgumentException("mask: " + what + " missing in '" + text + "'");
        }
        try {
            int v = Integer.parseInt(args[index].trim());
            if (v < Math.max(0, min)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mask: " + what + " in '" + text + "': expected an integer >= "
                    + Math.max(0, min) + ", got '" + args[index] + "'");
        }
    }

    private static double percent(String text, String arg) {
        try {
            double p = Double.parseDouble(arg.substring(0, arg.length() - 1));
            if (!(p > 0 && p <= 100)) {
                throw new NumberFormatException();
            }
            return p / 100;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mask: blocktopk K in '" + text + "': expected a percentage in"
                    + " (0, 100], got '" + arg + "'");
        }
    }

    public boolean isDense() {
        return windowLeft < 0 && !hasBlockTopK() && tokenTopK == 0;
    }

    public boolean hasBlockTopK() {
        return blockTopK > 0 || !Double.isNaN(blockShare);
    }

    /** Block top-k's k at a context of {@code context} positions (the own block comes on top). */
    public int blocksFor(int context) {
        if (Double.isNaN(blockShare)) {
            return blockTopK;
        }
        int blocks = (context + blockSize - 1) / blockSize;
        return (int) Math.max(1, Math.round(blockShare * blocks) - 1);
    }

    /** Sets this mask on a decode step at a context of {@code context} positions. */
    public DecodeRequest.Builder applyTo(DecodeRequest.Builder b, int context) {
        if (windowLeft >= 0) {
            b.window(windowLeft);
            if (globalTokens > 0) {
                b.globalTokens(globalTokens);
            }
        }
        if (hasBlockTopK() && blocksPerGroup) {
            b.topKBlocksPerGroup(blocksFor(context));
        } else if (hasBlockTopK()) {
            b.topKBlocks(blocksFor(context));
        }
        if (tokenTopK > 0) {
            b.topKTokens(tokenTopK);
        }
        return b;
    }
}
