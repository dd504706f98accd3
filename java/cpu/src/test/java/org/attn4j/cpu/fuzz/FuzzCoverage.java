package org.attn4j.cpu.fuzz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.DType;
import org.attn4j.Normalizer;

/**
 * What a fuzz run covered: for the cases compared between cpu and reference, each type, normalizer, mask, head
 * layout, odd length and extreme input (non-finite values in each input, huge and tiny scales, tiles near 2^31);
 * for the refused ones, each mutation. A run of 10^4 requests must cover every one, or the
 * fuzzer would be silently narrower than it claims.
 */
final class FuzzCoverage {
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    FuzzCoverage() {
        for (DType t : DType.values()) {
            counts.put(t.label(), 0);
        }
        for (Normalizer n : Normalizer.values()) {
            counts.put(n.label(), 0);
        }
        for (String f : new String[] {"causal", "window", "global tokens", "block mask", "block top-k",
            "token top-k", "three or more masks", "MHA", "GQA", "MQA", "Nq != Nk", "Nq = 1", "N = 7", "N = 100",
            "N = 257", "lse", "probabilities", "other output type", "caller output", "backward", "window with Nq > Nk",
            "non-finite q", "non-finite k", "non-finite v", "non-finite dO", "non-finite backward", "huge scale",
            "tiny scale", "tiles near 2^31"}) {
            counts.put(f, 0);
        }
        for (Mutation m : Mutation.values()) {
            counts.put("refused " + m, 0);
        }
    }

    void record(FuzzCase c, FuzzRun.Outcome outcome) {
        if (outcome == FuzzRun.Outcome.REFUSED && c.mutation != null) {
            add("refused " + c.mutation);
        }
        if (outcome != FuzzRun.Outcome.COMPARED && outcome != FuzzRun.Outcome.FORWARD_COMPARED) {
            return;
        }
        boolean backward = c.backward && outcome == FuzzRun.Outcome.COMPARED;
        add(c.dtype.label());
        add(c.normalizer.label());
        int masks = 0;
        masks += flag(c.causal, "causal");
        masks += flag(c.window, "window");
        flag(c.globalTokens != null, "global tokens");
        masks += flag(c.blockMaskShape != null, "block mask");
        masks += flag(c.topKBlocks, "block top-k");
        masks += flag(c.topKTokens != null, "token top-k");
        flag(masks >= 3, "three or more masks");
        int hkv = c.kShape[1];
        add(hkv == c.queryHeads() ? "MHA" : hkv == 1 ? "MQA" : "GQA");
        flag(c.queryLength() != c.keyLength(), "Nq != Nk");
        flag(c.queryLength() == 1, "Nq = 1");
        for (int n : new int[] {7, 100, 257}) {
            flag(c.queryLength() == n || c.keyLength() == n, "N = " + n);
        }
        flag(c.returnLse, "lse");
        flag(c.returnProbabilities, "probabilities");
        flag(c.outputDType != null, "other output type");
        flag(c.callerOutputShape != null, "caller output");
        flag(backward, "backward");
        flag(c.window && c.queryLength() > c.keyLength(), "window with Nq > Nk");
        for (String input : new String[] {"q", "k", "v"}) {
            flag(c.nonFiniteIn.contains(input), "non-finite " + input);
        }
        flag(backward && c.nonFiniteIn.contains("gradOutput"), "non-finite dO");
        flag(backward && !c.nonFiniteIn.isEmpty(), "non-finite backward");
        double scale = c.scale != null ? Math.abs(c.scale) : 1;
        flag(scale > 1e9, "huge scale");
        flag(scale < 1e-40, "tiny scale");
        int maskTile = c.blockMaskShape != null ? Math.max(c.blockMaskQ, c.blockMaskK) : 0;
        int topKTile = c.topKBlocks ? Math.max(c.topKBlocksQ, c.topKBlocksKTile) : 0;
        flag(Math.max(maskTile, topKTile) >= 1 << 30, "tiles near 2^31");
    }

    /** What no case covered. */
    List<String> missing() {
        List<String> out = new ArrayList<>();
        counts.forEach((k, v) -> {
            if (v == 0) {
                out.add(k);
            }
        });
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return sb.toString();
    }

    private int flag(boolean on, String feature) {
        if (on) {
            add(feature);
        }
        return on ? 1 : 0;
    }

    private void add(String feature) {
        counts.merge(feature, 1, Integer::sum);
    }
}
