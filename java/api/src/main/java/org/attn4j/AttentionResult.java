package org.attn4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.attn4j.internal.Arguments;

/**
 * What a forward pass returns: {@code O [B, Hq, Nq, Dv]}, and on request {@code LSE [B, Hq, Nq]} and the attention
 * probabilities {@code [B, Hq, Nq, Nk]}. Closing the result frees the tensors the call allocated (not those the
 * caller passed in as destinations).
 */
public final class AttentionResult implements AutoCloseable {
    private final String provider;
    private final Tensor output;
    private final Tensor lse;
    private final Tensor probabilities;
    private final long allowedPairs;
    private final List<Tensor> owned;

    private AttentionResult(Builder b) {
        this.provider = b.provider;
        this.output = Arguments.notNull(b.output, "output", "the output tensor O");
        this.lse = b.lse;
        this.probabilities = b.probabilities;
        this.allowedPairs = b.allowedPairs;
        this.owned = List.copyOf(b.owned);
    }

    /** For providers: starts a result computed by {@code provider}. */
    public static Builder builder(String provider) {
        return new Builder(provider);
    }

    /** Name of the provider that computed this result. */
    public String provider() {
        return provider;
    }

    public Tensor output() {
        return output;
    }

    /** LSE (natural log, fp32), when requested; {@code -inf} for rows with no allowed key. */
    public Optional<Tensor> lse() {
        return Optional.ofNullable(lse);
    }

    /** Attention probabilities (fp32, zero where masked), when requested. */
    public Optional<Tensor> probabilities() {
        return Optional.ofNullable(probabilities);
    }

    /**
     * Number of (query, key) pairs attended, summed over batch and heads, after every mask and selection — the
     * {@code P} of the SPEC's FLOP count — when the provider counted it.
     */
    public OptionalLong allowedPairs() {
        return allowedPairs >= 0 ? OptionalLong.of(allowedPairs) : OptionalLong.empty();
    }

    @Override
    public void close() {
        for (Tensor t : owned) {
            t.close();
        }
    }

    @Override
    public String toString() {
        return "AttentionResult[provider " + provider + ", output " + output.describe()
                + (lse != null ? ", lse" : "") + (probabilities != null ? ", probabilities" : "") + "]";
    }

    /** Assembles a result; tensors marked owned are closed with it. */
    public static final class Builder {
        private final String provider;
        private Tensor output;
        private Tensor lse;
        private Tensor probabilities;
        private long allowedPairs = -1;
        private final List<Tensor> owned = new ArrayList<>();

        private Builder(String provider) {
            this.provider = Arguments.notNull(provider, "provider", "the provider's name");
        }

        public Builder output(Tensor output, boolean owned) {
            this.output = output;
            own(output, owned);
            return this;
        }

        public Builder lse(Tensor lse, boolean owned) {
            this.lse = lse;
            own(lse, owned);
            return this;
        }

        public Builder probabilities(Tensor probabilities, boolean owned) {
            this.probabilities = probabilities;
            own(probabilities, owned);
            return this;
        }

        public Builder allowedPairs(long pairs) {
            this.allowedPairs = pairs;
            return this;
        }

        public AttentionResult build() {
            return new AttentionResult(this);
        }

        private void own(Tensor t, boolean owned) {
            if (owned && t != null) {
                this.owned.add(t);
            }
        }
    }
}
