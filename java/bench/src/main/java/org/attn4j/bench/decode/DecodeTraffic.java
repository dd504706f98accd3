package org.attn4j.bench.decode;

import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.DecodeSelection;
import org.attn4j.decode.KeptKeys;
import org.attn4j.decode.KvCache;

/**
 * Bytes one decode step must read, by the SPEC's rule for what it keeps: per kv head, the keys of the union of its
 * query heads' kept keys (GQA: one read serves the group), the values of those keys (with token top-k, at most the
 * selected ones), and with block top-k the block means it scores. Queries and outputs are negligible. This is the
 * traffic of the {@code cpu} provider's layout, where every element is a float.
 */
final class DecodeTraffic {
    private DecodeTraffic() {
    }

    /**
     * @param elementBytes bytes per cached element as the measured provider stores it
     */
    static long bytesPerStep(DecodeRequest r, int elementBytes) {
        KvCache cache = r.cache();
        DecodeSelection selection = DecodeSelection.of(r);
        float[] q = r.q().toFloatArray();
        int d = r.headDim();
        int dv = r.valueDim();
        int group = r.groupSize();
        int nq = r.queryLength();
        int bs = cache.blockSize();
        KeptKeys kept = new KeptKeys();
        long bytes = 0;
        for (int b = 0; b < r.batch(); b++) {
            int length = cache.length(b);
            int blocks = (length + bs - 1) / bs;
            double[] sums = r.blockTopK().isPresent() ? cache.blockKeySums(b) : null;
            for (int kvh = 0; kvh < r.kvHeads(); kvh++) {
                double[][] means = sums == null ? null
                        : DecodeSelection.meansFromSums(sums, kvh * blocks * d, blocks, d, bs, length);
                boolean[] any = new boolean[length];
                for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                    for (int i = 0; i < nq; i++) {
                        selection.keptKeys(b, h, i, length, q, means, kept);
                        for (int t = 0; t < kept.count(); t++) {
                            java.util.Arrays.fill(any, kept.start(t), kept.end(t), true);
                        }
                    }
                }
                long union = 0;
                for (boolean x : any) {
                    union += x ? 1 : 0;
                }
                long values = r.tokenTopK().isPresent()
                        ? Math.min(union, (long) group * nq * r.tokenTopK().getAsInt()) : union;
                bytes += union * d * elementBytes + values * dv * elementBytes;
                if (means != null) {
                    bytes += (long) blocks * d * Double.BYTES;
                }
            }
        }
        return bytes;
    }

    /**
     * Query-key pairs the step attends by the SPEC's rule (every row's kept keys, at most k of them with token
     * top-k): for providers whose result does not count them ({@code AttentionResult.allowedPairs()} empty).
     */
    static long keptPairs(DecodeRequest r) {
        KvCache cache = r.cache();
        DecodeSelection selection = DecodeSelection.of(r);
        float[] q = r.q().toFloatArray();
        int d = r.headDim();
        int bs = cache.blockSize();
        KeptKeys kept = new KeptKeys();
        long pairs = 0;
        for (int b = 0; b < r.batch(); b++) {
            int length = cache.length(b);
            int blocks = (length + bs - 1) / bs;
            double[] sums = r.blockTopK().isPresent() ? cache.blockKeySums(b) : null;
            for (int kvh = 0; kvh < r.kvHeads(); kvh++) {
                double[][] means = sums == null ? null
                        : DecodeSelection.meansFromSums(sums, kvh * blocks * d, blocks, d, bs, length);
                for (int h = kvh * r.groupSize(); h < (kvh + 1) * r.groupSize(); h++) {
                    for (int i = 0; i < r.queryLength(); i++) {
                        selection.keptKeys(b, h, i, length, q, means, kept);
                        pairs += r.tokenTopK().isPresent() ? Math.min(kept.keys(), r.tokenTopK().getAsInt())
                                : kept.keys();
                    }
                }
            }
        }
        return pairs;
    }
}
