package org.attn4j.model.alicot;

import java.util.Arrays;
import java.util.List;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.nn.CrossEntropy;

/**
 * Wall time to answer one problem alone (batch 1), as a user would wait for it: the prompt's pass, then the decode
 * steps of the mode, with a KV cache. The first problems warm the JIT up and are not counted.
 *
 * <p>With a {@code paired} layout (the explicit chain, for a latent run), each problem is also decoded that way by the
 * same model right after, so both times see the same machine load: their ratio is the speedup of the latent decoding
 * over an explicit chain of the task's length, whatever else runs on the machine. (Only the number of passes matters
 * for the time: the tokens fed back are the model's own greedy choices.)
 *
 * @param medianMs       median time per problem
 * @param meanMs         mean time per problem
 * @param promptMs       median time of the prompt's pass alone
 * @param pairedMedianMs median time of the paired decoding, or NaN without one
 * @param problems       problems timed
 * @param loadAverage    the system load average (one minute) when the timing ended, or NaN where unknown
 */
public record DecodeTiming(double medianMs, double meanMs, double promptMs, double pairedMedianMs, int problems,
                           double loadAverage) {
    /** Problems decoded before timing starts. */
    static final int WARMUP = 50;

    public static DecodeTiming measure(GptModel model, DagVocabulary vocabulary, ReasoningLayout layout,
                                       List<BoolDag> problems, int count) {
        return measure(model, vocabulary, layout, null, problems, count);
    }

    /** Like {@link #measure(GptModel, DagVocabulary, ReasoningLayout, List, int)}, also timing {@code paired}. */
    public static DecodeTiming measure(GptModel model, DagVocabulary vocabulary, ReasoningLayout layout,
                                       ReasoningLayout paired, List<BoolDag> problems, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count: expected >= 1, got " + count);
        }
        double[] total = new double[count];
        double[] prompt = new double[count];
        double[] pairedTotal = new double[count];
        double[] promptOnly = new double[1];
        for (int i = 0; i < WARMUP + count; i++) {
            BoolDag dag = problems.get(i % problems.size());
            double t = decode(model, vocabulary, layout, dag, promptOnly);
            double p = paired == null ? Double.NaN : decode(model, vocabulary, paired, dag, new double[1]);
            if (i >= WARMUP) {
                total[i - WARMUP] = t;
                prompt[i - WARMUP] = promptOnly[0];
                pairedTotal[i - WARMUP] = p;
            }
        }
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return new DecodeTiming(median(total), Arrays.stream(total).average().orElse(Double.NaN), median(prompt),
                paired == null ? Double.NaN : median(pairedTotal), count, load < 0 ? Double.NaN : load);
    }

    /** Decodes one problem; returns its time in ms and puts the prompt's share in {@code promptMs[0]}. */
    private static double decode(GptModel model, DagVocabulary vocabulary, ReasoningLayout layout, BoolDag dag,
                                 double[] promptMs) {
        int vocab = model.config().vocabSize();
        long t0 = System.nanoTime();
        IncrementalDecoder dec = new IncrementalDecoder(model, 1, layout.length());
        dec.append(vocabulary.prompt(dag), null, layout.promptLength());
        long t1 = System.nanoTime();
        int[] next = new int[1];
        for (int j = 0; j < layout.reasoningPositions(); j++) {
            if (layout.mode().continuous()) {
                next[0] = GptModel.INPUT_EMBEDDING;
                dec.append(next, dec.lastHidden().clone(), 1);
            } else {
                next[0] = CrossEntropy.argmax(dec.lastLogits(), 0, vocab);
                dec.append(next, null, 1);
            }
        }
        CrossEntropy.argmax(dec.lastLogits(), 0, vocab);
        long t2 = System.nanoTime();
        promptMs[0] = (t1 - t0) / 1e6;
        return (t2 - t0) / 1e6;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
