package org.attn4j.bench.results;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts each attn4j row beside the fastest peer that ran the same configuration: same config id, type, direction
 * and device kind (CPU rows against CPU peers, GPU rows against GPU peers). The ratio is attn4j's TFLOP/s over the
 * peer's, so above 1 means attn4j is faster.
 */
public final class PeerComparison {
    private PeerComparison() {
    }

    public static List<BenchRow> annotate(List<BenchRow> rows) {
        Map<String, BenchRow> best = new HashMap<>();
        for (BenchRow r : rows) {
            if (r.isPeer() && r.isOk() && r.tflops() != null) {
                best.merge(key(r), r, (a, b) -> b.tflops() > a.tflops() ? b : a);
            }
        }
        List<BenchRow> out = new ArrayList<>(rows.size());
        for (BenchRow r : rows) {
            BenchRow peer = r.isPeer() || !r.isOk() || r.tflops() == null ? null : best.get(key(r));
            out.add(peer == null || peer.tflops() <= 0 ? r.withVsPeer(null)
                    : r.withVsPeer(new PeerRatio(peer.displayName(), peer.tflops(), r.tflops() / peer.tflops())));
        }
        return out;
    }

    static String key(BenchRow r) {
        return r.configId() + "|" + r.dtype() + "|" + r.direction() + "|" + r.deviceKind();
    }
}
