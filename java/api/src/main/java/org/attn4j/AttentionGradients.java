package org.attn4j;

import org.attn4j.internal.Arguments;

/** Gradients of a loss with respect to Q, K and V, shaped like them and of the input type. Closing frees them. */
public final class AttentionGradients implements AutoCloseable {
    private final String provider;
    private final Tensor dq;
    private final Tensor dk;
    private final Tensor dv;

    public AttentionGradients(String provider, Tensor dq, Tensor dk, Tensor dv) {
        this.provider = Arguments.notNull(provider, "provider", "the provider's name");
        this.dq = Arguments.notNull(dq, "dq", "a tensor");
        this.dk = Arguments.notNull(dk, "dk", "a tensor");
        this.dv = Arguments.notNull(dv, "dv", "a tensor");
    }

    public String provider() {
        return provider;
    }

    /** {@code dQ [B, Hq, Nq, D]}. */
    public Tensor dq() {
        return dq;
    }

    /** {@code dK [B, Hkv, Nk, D]}, summed over the query heads of each group. */
    public Tensor dk() {
        return dk;
    }

    /** {@code dV [B, Hkv, Nk, Dv]}, summed over the query heads of each group. */
    public Tensor dv() {
        return dv;
    }

    @Override
    public void close() {
        dq.close();
        dk.close();
        dv.close();
    }
}
