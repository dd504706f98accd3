package org.attn4j.model.encdec;

import java.util.SplittableRandom;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;

/** Small random models and inputs for the encoder-decoder tests. */
final class EncDecFixtures {
    static final int VOCAB = 5;
    static final int BATCH = 2;
    static final int INPUT = 7;
    static final int LENGTH = 5;

    private EncDecFixtures() {
    }

    /** vocab 5, hidden 8, 2 heads, 1 encoder and 2 decoder blocks, MLP 12, input 7, decoder 5 (+ slack). */
    static EncDecConfig config(int fields, boolean positions) {
        return EncDecConfig.of(VOCAB, fields, positions, INPUT, 12, 8, 2, 1, 2).withMlpHidden(12);
    }

    /** GPT-2's 0.02 initialisation makes every gradient tiny; larger weights give well-conditioned checks. */
    static EncDecModel randomModel(EncDecConfig c, long seed) {
        EncDecModel m = new EncDecModel(c, seed, Parallel.serial());
        SplittableRandom r = new SplittableRandom(seed + 1000);
        for (Parameter p : m.parameters()) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (Parameter.gaussian(r) * 0.4);
            }
        }
        return m;
    }

    static int[] tokens(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextInt(VOCAB);
        }
        return t;
    }
}
