package org.attn4j.cli.demo;

import java.util.Locale;

/**
 * The attention shape the demo runs: batch, query and key/value heads, sequence length (queries = keys) and head
 * dimension (values too), with the named presets {@code small}, {@code medium}, {@code large}.
 */
public record DemoShape(String name, int batch, int heads, int kvHeads, int length, int headDim) {

    public DemoShape {
        check("batch", batch);
        check("heads", heads);
        check("kv heads", kvHeads);
        check("sequence length", length);
        check("head dim", headDim);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("--kv-heads: expected a divisor of " + heads + " (heads), got "
                    + kvHeads);
        }
    }

    /** The presets, smallest first: {@code large} is the shape of the project's CPU benchmark. */
    public static DemoShape[] presets() {
        return new DemoShape[] {
            new DemoShape("small", 1, 4, 4, 1024, 64),
            new DemoShape("medium", 1, 8, 8, 2048, 64),
            new DemoShape("large", 1, 8, 8, 4096, 64),
        };
    }

    /** The preset called {@code name}. */
    public static DemoShape preset(String name) {
        for (DemoShape s : presets()) {
            if (s.name.equalsIgnoreCase(name.strip())) {
                return s;
            }
        }
        throw new IllegalArgumentException("--size: expected auto, small, medium or large, got '" + name + "'");
    }

    /** Query/key pairs of the dense problem over batch and heads: the {@code P} of a mask-free pass. */
    public long densePairs() {
        return (long) batch * heads * length * length;
    }

    /** This shape with other dimensions where {@code overrides} are non-null. */
    public DemoShape with(Integer batchOverride, Integer headsOverride, Integer kvHeadsOverride,
                          Integer lengthOverride, Integer headDimOverride) {
        int h = headsOverride != null ? headsOverride : heads;
        int kv = kvHeadsOverride != null ? kvHeadsOverride : headsOverride != null ? h : kvHeads;
        boolean changed = batchOverride != null || headsOverride != null || kvHeadsOverride != null
                || lengthOverride != null || headDimOverride != null;
        return new DemoShape(changed ? name + " (customized)" : name,
                batchOverride != null ? batchOverride : batch, h, kv,
                lengthOverride != null ? lengthOverride : length, headDimOverride != null ? headDimOverride : headDim);
    }

    /** {@code B=1 Hq=8 Hkv=8 N=4096 D=Dv=64}. */
    public String describe() {
        return String.format(Locale.ROOT, "B=%d Hq=%d Hkv=%d N=%d D=Dv=%d", batch, heads, kvHeads, length, headDim);
    }

    private static void check(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": expected >= 1, got " + value);
        }
    }
}
