package org.attn4j.model.alicot;

import java.util.Arrays;
import java.util.List;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.nn.CrossEntropy;

/**
 * Greedy inference of one mode on a list of problems, as it would run in use: the prompt, then (explicit) each chain
 * token the model predicts fed back, or (latent) each thought fed back, then the answer. Records the answers, the
 * prediction at every reasoning position (a chain token, or the most likely token of a thought's output
 * distribution) and, when asked, the hidden state of every state row (the row before each position) for the probes.
 *
 * @param answers     the predicted answer token of each problem
 * @param predictions {@code [problem][reasoning position]}
 * @param states      {@code [position][problem * D + c]}, or null when not kept
 */
public record Decoding(int[] answers, int[][] predictions, float[][] states) {

    /** Decodes {@code problems} in batches of at most {@code chunk}. */
    public static Decoding run(GptModel model, DagVocabulary vocabulary, ReasoningLayout layout, List<BoolDag> problems,
                               int chunk, boolean keepStates) {
        if (chunk < 1) {
            throw new IllegalArgumentException("chunk: expected >= 1, got " + chunk);
        }
        int n = problems.size();
        int d = model.config().dModel();
        int vocab = model.config().vocabSize();
        int positions = layout.reasoningPositions();
        int p = layout.promptLength();
        int[] answers = new int[n];
        int[][] predictions = new int[n][positions];
        float[][] states = keepStates ? new float[positions][n * d] : null;
        for (int from = 0; from < n; from += chunk) {
            int b = Math.min(chunk, n - from);
            IncrementalDecoder dec = new IncrementalDecoder(model, b, layout.length());
            int[] prompts = new int[b * p];
            for (int i = 0; i < b; i++) {
                vocabulary.prompt(problems.get(from + i), prompts, i * p);
            }
            dec.append(prompts, null, p);
            int[] next = new int[b];
            float[] thoughts = new float[b * d];
            for (int pos = 0; pos < positions; pos++) {
                float[] h = dec.lastHidden();
                if (keepStates) {
                    System.arraycopy(h, 0, states[pos], from * d, b * d);
                }
                for (int i = 0; i < b; i++) {
                    predictions[from + i][pos] = CrossEntropy.argmax(dec.lastLogits(), i, vocab);
                }
                if (layout.mode().continuous()) {
                    System.arraycopy(h, 0, thoughts, 0, b * d);
                    Arrays.fill(next, GptModel.INPUT_EMBEDDING);
                    dec.append(next, thoughts, 1);
                } else {
                    for (int i = 0; i < b; i++) {
                        next[i] = predictions[from + i][pos];
                    }
                    dec.append(next, null, 1);
                }
            }
            for (int i = 0; i < b; i++) {
                answers[from + i] = CrossEntropy.argmax(dec.lastLogits(), i, vocab);
            }
        }
        return new Decoding(answers, predictions, states);
    }

    /** Fraction of problems answered right. */
    public double accuracy(List<BoolDag> problems) {
        int right = 0;
        for (int i = 0; i < answers.length; i++) {
            if (answers[i] == problems.get(i).answer()) {
                right++;
            }
        }
        return answers.length == 0 ? Double.NaN : (double) right / answers.length;
    }

    /**
     * Per reasoning position, the fraction of problems whose prediction there is right: the chain token (explicit) or
     * the chunk's state token (aligned); null for modes without such targets.
     */
    public double[] stepAccuracy(List<BoolDag> problems, DagVocabulary vocabulary, ReasoningLayout layout) {
        if (layout.mode() != AlicotMode.EXPLICIT && layout.mode() != AlicotMode.ALIGNED) {
            return null;
        }
        double[] acc = new double[layout.reasoningPositions()];
        for (int pos = 0; pos < acc.length; pos++) {
            int right = 0;
            for (int i = 0; i < answers.length; i++) {
                if (predictions[i][pos] == target(problems.get(i), vocabulary, layout, pos)) {
                    right++;
                }
            }
            acc[pos] = (double) right / answers.length;
        }
        return acc;
    }

    /**
     * Fraction of problems whose every intermediate prediction is right (every chain token, or every thought's state
     * token); null as for {@link #stepAccuracy}.
     */
    public Double chainAccuracy(List<BoolDag> problems, DagVocabulary vocabulary, ReasoningLayout layout) {
        if (layout.mode() != AlicotMode.EXPLICIT && layout.mode() != AlicotMode.ALIGNED) {
            return null;
        }
        int right = 0;
        for (int i = 0; i < answers.length; i++) {
            boolean ok = true;
            for (int pos = 0; pos < layout.reasoningPositions() && ok; pos++) {
                ok = predictions[i][pos] == target(problems.get(i), vocabulary, layout, pos);
            }
            right += ok ? 1 : 0;
        }
        return (double) right / answers.length;
    }

    private static int target(BoolDag dag, DagVocabulary vocabulary, ReasoningLayout layout, int pos) {
        return layout.mode() == AlicotMode.EXPLICIT ? vocabulary.stepValue(dag, pos) : vocabulary.stateToken(dag, pos);
    }
}
