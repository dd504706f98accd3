package org.attn4j.bench.results;

/** The sizes of a row's problem. */
public record ShapeDims(int batch, int headsQ, int headsKv, int seqQ, int seqK, int headDim, int valueDim) {
}
