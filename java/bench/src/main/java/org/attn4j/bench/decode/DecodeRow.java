package org.attn4j.bench.decode;

/**
 * One measured decode configuration (JSON names in snake case).
 *
 * @param context        positions in the cache (every sequence)
 * @param mask           the mask as given ({@link DecodeMaskSpec})
 * @param keptFraction   keys attended per query over the context (after every mask and selection)
 * @param msPerToken     best time of one decode step (all sequences, all heads), ms
 * @param msMedian       median time, ms
 * @param bytesPerToken  bytes the step reads ({@link DecodeTraffic})
 * @param gbps           bytes per token over the best time, GB/s
 * @param copyShare      {@code gbps} over the machine's copy bandwidth (all threads, read + write)
 * @param vsDense        this step's time over the dense step's at the same context
 * @param numpyMs        the NumPy peer's best time on the same cache, ms (null when it did not run)
 * @param numpyRatio     NumPy's time over attn4j's (above 1: attn4j faster)
 * @param numpyRelError  relative difference between NumPy's output and attn4j's
 * @param numpyNote      why the peer has no time, or empty
 */
public record DecodeRow(int context, String mask, String provider, String normalizer, int blocksKept,
                        double keptFraction, double msPerToken, double msMedian, int repetitions,
                        long bytesPerToken, double gbps, double copyShare, Double vsDense, Double numpyMs,
                        Double numpyMedianMs, Double numpyRatio, Double numpyRelError, String numpyNote) {

    DecodeRow withDense(double denseMs) {
        return new DecodeRow(context, mask, provider, normalizer, blocksKept, keptFraction, msPerToken, msMedian,
                repetitions, bytesPerToken, gbps, copyShare, msPerToken / denseMs, numpyMs, numpyMedianMs,
                numpyRatio, numpyRelError, numpyNote);
    }

    DecodeRow withNumpy(Double ms, Double median, Double relError, String note) {
        return new DecodeRow(context, mask, provider, normalizer, blocksKept, keptFraction, msPerToken, msMedian,
                repetitions, bytesPerToken, gbps, copyShare, vsDense, ms, median, ms == null ? null
                : ms / msPerToken, relError, note);
    }

    /** Row by row (same order), the better attn4j time and the better NumPy time of two sweeps, then vs dense. */
    static java.util.List<DecodeRow> best(java.util.List<DecodeRow> a, java.util.List<DecodeRow> b) {
        java.util.List<DecodeRow> out = new java.util.ArrayList<>();
        for (int x = 0; x < a.size(); x++) {
            DecodeRow p = a.get(x);
            DecodeRow q = b.get(x);
            DecodeRow t = q.msPerToken < p.msPerToken ? q : p;
            DecodeRow n = p.numpyMs == null ? q : q.numpyMs == null ? p : q.numpyMs < p.numpyMs ? q : p;
            out.add(t.withNumpy(n.numpyMs, n.numpyMedianMs, n.numpyRelError, n.numpyNote));
        }
        java.util.Map<Integer, Double> dense = new java.util.HashMap<>();
        for (DecodeRow r : out) {
            if (r.mask.equals("dense")) {
                dense.put(r.context, r.msPerToken);
            }
        }
        out.replaceAll(r -> dense.containsKey(r.context) ? r.withDense(dense.get(r.context)) : r);
        return out;
    }

    /** The rows with their bandwidth share recomputed against {@code copy}. */
    static java.util.List<DecodeRow> withCopy(java.util.List<DecodeRow> rows, CopyBandwidth copy) {
        java.util.List<DecodeRow> out = new java.util.ArrayList<>();
        for (DecodeRow r : rows) {
            out.add(new DecodeRow(r.context, r.mask, r.provider, r.normalizer, r.blocksKept, r.keptFraction,
                    r.msPerToken, r.msMedian, r.repetitions, r.bytesPerToken, r.gbps, r.gbps / copy.allThreadsGbps(),
                    r.vsDense, r.numpyMs, r.numpyMedianMs, r.numpyRatio, r.numpyRelError, r.numpyNote));
        }
        return out;
    }
}
