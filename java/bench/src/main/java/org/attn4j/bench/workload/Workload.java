package org.attn4j.bench.workload;

import java.util.ArrayList;
import java.util.List;

/**
 * One configuration the benchmark times: a shape and a resolved mask. Its {@link #id()} names it in every output and
 * is how peer rows are matched to attn4j rows.
 *
 * @param seed the seed of the mask's random parts and of the input data
 */
public record Workload(Shape shape, MaskSpec spec, MaskInstance mask, long seed) {

    /** Resolves {@code spec} on {@code shape} with a seed derived from both, so every run draws the same mask. */
    public static Workload of(Shape shape, MaskSpec spec) {
        long seed = stableSeed(shape.key() + "/" + spec);
        return new Workload(shape, spec, MaskInstance.resolve(spec, shape, seed), seed);
    }

    /** Every (shape, mask) pair, in order; masks that cannot apply to a shape are left out of the list. */
    public static List<Workload> expand(List<Shape> shapes, List<String> skipped) {
        List<Workload> out = new ArrayList<>();
        for (Shape s : shapes) {
            for (MaskSpec m : s.masks()) {
                try {
                    out.add(of(s, m));
                } catch (IllegalArgumentException e) {
                    skipped.add(s.key() + " " + m + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    /** {@code <shape key>/<mask label>}, e.g. {@code gym/b16.hq16.hkv16.nq8192.nk8192.d64.dv64/causal}. */
    public String id() {
        return shape.key() + "/" + mask.label();
    }

    /** FNV-1a over the text, then a SplitMix64 finalizer: the same on every JVM. */
    static long stableSeed(String text) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            h ^= text.charAt(i);
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
