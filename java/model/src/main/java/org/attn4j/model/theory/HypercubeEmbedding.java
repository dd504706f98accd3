package org.attn4j.model.theory;

import java.util.SplittableRandom;
import org.attn4j.model.nn.Parameter;

/**
 * Definition 3: for every position {@code i} and bit {@code b}, a frozen vector {@code e(i, b)} drawn uniformly from
 * the hypercube {@code {-1/sqrt(d), +1/sqrt(d)}^d}; a sequence embeds as {@code E(b) = [e(i, b[i])]_i}. Stored as
 * {@code [T, 2, d]}.
 */
public final class HypercubeEmbedding {
    private final int length;
    private final int dim;
    private final Parameter table;

    public HypercubeEmbedding(int length, int dim, SplittableRandom random) {
        this.length = length;
        this.dim = dim;
        this.table = Parameter.frozen("embedding", length, 2, dim);
        float[] t = table.value();
        float unit = (float) (1.0 / Math.sqrt(dim));
        for (int i = 0; i < t.length; i++) {
            t[i] = random.nextBoolean() ? unit : -unit;
        }
    }

    public Parameter table() {
        return table;
    }

    public int dim() {
        return dim;
    }

    public int length() {
        return length;
    }

    /** Offset of {@code e(position, bit)} in {@link #table()}. */
    public int offset(int position, int bit) {
        return (position * 2 + bit) * dim;
    }
}
