package org.attn4j.bench.workload;

import java.util.List;
import java.util.Objects;

/**
 * One problem size, the masks to run on it, and the tile size those masks use.
 *
 * @param set       the shape set it comes from: {@code fa}, {@code gym} or {@code file}
 * @param scale     the size class ({@link Scale#FULL} for the SPEC's sizes)
 * @param blockSize tile edge of block masks, block top-k and document boundaries
 * @param masks     the masks to run on this shape
 */
public record Shape(String set, Scale scale, int batch, int headsQ, int headsKv, int seqQ, int seqK, int headDim,
                    int valueDim, int blockSize, List<MaskSpec> masks) {

    public Shape {
        Objects.requireNonNull(set, "set");
        Objects.requireNonNull(scale, "scale");
        positive("batch", batch);
        positive("heads", headsQ);
        positive("kv_heads", headsKv);
        positive("seq_q", seqQ);
        positive("seq_k", seqK);
        positive("head_dim", headDim);
        positive("value_dim", valueDim);
        positive("block", blockSize);
        if (headsQ % headsKv != 0) {
            throw new IllegalArgumentException("kv_heads: expected a divisor of heads (" + headsQ + "), got "
                    + headsKv);
        }
        masks = List.copyOf(masks);
        if (masks.isEmpty()) {
            throw new IllegalArgumentException("masks: expected at least one mask for shape " + set);
        }
    }

    /** Shape with the same sizes and other masks. */
    public Shape withMasks(List<MaskSpec> newMasks) {
        return new Shape(set, scale, batch, headsQ, headsKv, seqQ, seqK, headDim, valueDim, blockSize, newMasks);
    }

    /** Stable identifier of the sizes, e.g. {@code fa/b8.hq8.hkv8.nq256.nk256.d64.dv64}. */
    public String key() {
        return set + "/b" + batch + ".hq" + headsQ + ".hkv" + headsKv + ".nq" + seqQ + ".nk" + seqK + ".d" + headDim
                + ".dv" + valueDim;
    }

    /** Short human form, e.g. {@code B=8 H=8 S=256 D=64}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("B=").append(batch).append(" H=").append(headsQ);
        if (headsKv != headsQ) {
            sb.append("/").append(headsKv);
        }
        sb.append(seqQ == seqK ? " S=" + seqQ : " Nq=" + seqQ + " Nk=" + seqK).append(" D=").append(headDim);
        if (valueDim != headDim) {
            sb.append(" Dv=").append(valueDim);
        }
        return sb.toString();
    }

    /** {@code B * Hq * Nq * Nk}: the pairs of dense attention. */
    public long densePairs() {
        return (long) batch * headsQ * seqQ * seqK;
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": expected >= 1, got " + value);
        }
    }
}
