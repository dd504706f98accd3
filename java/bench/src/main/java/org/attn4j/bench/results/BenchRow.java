package org.attn4j.bench.results;

/**
 * One measured (or skipped) configuration, from attn4j or from a peer, in the schema of docs/benchmarks/schema.md.
 *
 * @param provider         attn4j provider name, or the peer's name ({@code numpy}, {@code torch})
 * @param kind             {@code attn4j} or {@code peer}
 * @param implementation   for peers the code path ({@code sdpa-flash}, {@code flex}, ...); for attn4j the class
 * @param device           the device in words
 * @param deviceKind       {@code cpu} or {@code cuda}: rows are only compared within one kind
 * @param configId         the configuration: {@code <set>/<sizes>/<mask label>}
 * @param shapeSet         {@code fa}, {@code gym}, or a shape file's name
 * @param scale            {@code full} or {@code cpu}
 * @param mask             the mask family ({@code block_sparse})
 * @param maskDetail       the mask with its parameters ({@code block_sparse(10%)})
 * @param direction        {@code forward} or {@code backward}
 * @param note             why a row is not ok, or remarks
 * @param timeMs           null unless the row is ok
 * @param work             null when the work could not be counted
 * @param tflops           FLOPs done over the median time; null unless ok
 * @param denseEquivTflops dense FLOPs over the median time; null unless ok
 * @param check            null when no check ran
 * @param vsPeer           attn4j rows only, once peers are merged; null otherwise
 */
public record BenchRow(String provider, String kind, String implementation, String device, String deviceKind,
                       String configId, String shapeSet, String scale, ShapeDims shape, String mask,
                       String maskDetail, String normalizer, String dtype, String direction, RowStatus status,
                       String note, TimeStats timeMs, WorkCount work, Double tflops, Double denseEquivTflops,
                       Accuracy check, PeerRatio vsPeer) {

    public static final String ATTN4J = "attn4j";
    public static final String PEER = "peer";

    public boolean isOk() {
        return status == RowStatus.OK && timeMs != null;
    }

    public boolean isPeer() {
        return PEER.equals(kind);
    }

    /** Provider plus implementation for peers, e.g. {@code torch/flex}; the provider name for attn4j rows. */
    public String displayName() {
        return isPeer() && implementation != null && !implementation.isEmpty() ? provider + "/" + implementation
                : provider;
    }

    public BenchRow withVsPeer(PeerRatio ratio) {
        return new BenchRow(provider, kind, implementation, device, deviceKind, configId, shapeSet, scale, shape,
                mask, maskDetail, normalizer, dtype, direction, status, note, timeMs, work, tflops, denseEquivTflops,
                check, ratio);
    }
}
