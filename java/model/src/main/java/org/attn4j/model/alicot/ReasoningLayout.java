package org.attn4j.model.alicot;

/**
 * Where things sit in a sequence of one mode. The prompt fills rows {@code 0 .. P-1}; then
 * <ul>
 *   <li>none: nothing; row {@code P-1} predicts the answer;</li>
 *   <li>explicit: the chain's {@code s} value tokens in rows {@code P .. P+s-1}; row {@code P-1+j} predicts step
 *       {@code j} and the last row the answer;</li>
 *   <li>latent, aligned: {@code m} continuous thoughts in rows {@code P .. P+m-1}: row {@code P+j} takes as input the
 *       final hidden state of row {@code P-1+j} (thought {@code j}, as in Coconut); the last row predicts the
 *       answer, and when aligned row {@code P-1+j} also predicts the state of the steps thought {@code j} stands
 *       for.</li>
 * </ul>
 * So row {@code P-1+j} is the <em>state row</em> of step (explicit) or thought (latent) {@code j}: the probes read
 * its hidden state.
 *
 * @param steps   steps of the explicit chain
 * @param latents continuous thoughts (0 for none and explicit)
 */
public record ReasoningLayout(AlicotMode mode, int promptLength, int steps, int latents) {

    public ReasoningLayout {
        java.util.Objects.requireNonNull(mode, "mode");
        if (mode.continuous() && latents < 1) {
            throw new IllegalArgumentException("latents: expected >= 1 for mode " + mode.label() + ", got " + latents);
        }
        if (!mode.continuous() && latents != 0) {
            throw new IllegalArgumentException("latents: mode " + mode.label() + " has no latent tokens, got "
                    + latents);
        }
    }

    /** The layout of {@code mode} for problems written with {@code vocabulary}. */
    public static ReasoningLayout of(AlicotMode mode, DagVocabulary vocabulary, int latents) {
        return new ReasoningLayout(mode, vocabulary.promptLength(), vocabulary.steps(), latents);
    }

    /** Positions after the prompt; each is also a state row. */
    public int reasoningPositions() {
        return switch (mode) {
            case NONE -> 0;
            case EXPLICIT -> steps;
            case LATENT, ALIGNED -> latents;
        };
    }

    public int length() {
        return promptLength + reasoningPositions();
    }

    /** The row whose output is the answer. */
    public int answerRow() {
        return length() - 1;
    }

    /** The row whose output predicts step {@code j} (explicit) or is thought {@code j} (latent). */
    public int reasoningRow(int j) {
        return promptLength - 1 + j;
    }

    /** Sequential forward passes from the prompt to the answer: the prompt's, then one per position after it. */
    public int decodeSteps() {
        return 1 + reasoningPositions();
    }
}
