package org.attn4j.model.alicot;

import java.util.Arrays;
import java.util.List;
import org.attn4j.model.gpt.GptModel;

/**
 * Wall time to answer one problem alone (batch 1), as a user would wait for it: the prompt's pass, then the decode
 * steps of the mode, with a KV cache ({@link Decoding} with one problem per batch). The first problems warm the JIT
 * up and are not counted.
 *
 * @param medianMs  median time per problem
 * @param meanMs    mean time per problem
 * @param promptMs  median time of the prompt's pass alone
 * @param problems  problems timed
 */
public record DecodeTiming(double medianMs, double meanMs, double promptMs, int problems) {
    /** Problems decoded before timing starts. */
    static final int WARMUP = 50;

    public static DecodeTiming measure(GptModel model, DagVocabulary vocabulary, ReasoningLayout layout,
                                       List<BoolDag> problems, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count: expected >= 1, got " + count);
        }
        double[] total = new double[count];
        double[] prompt = new double[count];
        int p = layout.promptLength();
        for (int i = 0; i < WARMUP + count; i++) {
            BoolDag dag = problems.get(i % problems.size());
            long t0 = System.nanoTime();
            IncrementalDecoder dec = new IncrementalDecoder(model, 1, layout.length());
            dec.append(vocabulary.prompt(dag), null, p);
            long t1 = System.nanoTime();
            int[] next = new int[1];
            for (int j = 0; j < layout.reasoningPositions(); j++) {
                if (layout.mode().continuous()) {
                    next[0] = GptModel.INPUT_EMBEDDING;
                    dec.append(next, dec.lastHidden().clone(), 1);
                } else {
                    next[0] = org.attn4j.model.nn.CrossEntropy.argmax(dec.lastLogits(), 0, model.config().vocabSize());
                    dec.append(next, null, 1);
                }
            }
            org.attn4j.model.nn.CrossEntropy.argmax(dec.lastLogits(), 0, model.config().vocabSize());
            long t2 = System.nanoTime();
            if (i >= WARMUP) {
                total[i - WARMUP] = (t2 - t0) / 1e6;
                prompt[i - WARMUP] = (t1 - t0) / 1e6;
            }
        }
        return new DecodeTiming(median(total), Arrays.stream(total).average().orElse(Double.NaN), median(prompt),
                count);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
