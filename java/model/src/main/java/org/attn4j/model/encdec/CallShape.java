package org.attn4j.model.encdec;

/**
 * The geometry of one attention call, with where its query rows sit in the whole problem, so that a step of
 * generation and the full teacher-forced pass make the same choices.
 *
 * @param batch           sequences
 * @param heads           attention heads
 * @param queryLength     query rows of this call ({@code 1} for a generation step)
 * @param keyLength       keys of this call
 * @param headDim         width of a head
 * @param firstQuery      position of query row 0 in the decoder (0 in the encoder and in a full pass)
 * @param decoderLength   the decoder's full length for this problem (fractions of decoder keys and the alignment of
 *                        cross-attention windows are taken against it)
 */
record CallShape(int batch, int heads, int queryLength, int keyLength, int headDim, int firstQuery,
                 int decoderLength) {

    /** Pairs dense attention of this kind would attend. */
    long densePairs(AttentionKind kind) {
        long rows = 0;
        if (kind == AttentionKind.DECODER) {
            for (int i = 0; i < queryLength; i++) {
                rows += firstQuery + i + 1;
            }
        } else {
            rows = (long) queryLength * keyLength;
        }
        return rows * batch * heads;
    }
}
