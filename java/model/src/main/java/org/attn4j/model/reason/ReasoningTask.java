package org.attn4j.model.reason;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * A family of reasoning problems with a written chain of thought, generated from a seed. The encoder-decoder reads the
 * input and writes the chain after its prompt; the decoder-only GPT reads {@link #renderInput} then the prompt.
 * Every chain has the same length for a task's sizes and ends with {@link #eos()}; the answer sits at
 * {@link #answerPositions()} of the chain.
 */
public interface ReasoningTask {
    /** {@code linalg}, {@code pointer}, {@code parity} or {@code sum}. */
    String name();

    /** The sizes, e.g. {@code {"n": 3, "p": 7}}. */
    Map<String, Object> sizes();

    /** Name and sizes, e.g. {@code linalg n=3 p=7}. */
    default String describe() {
        StringBuilder sb = new StringBuilder(name());
        sizes().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    /** Tokens, the specials included. */
    int vocabSize();

    /** Encoder positions. */
    int inputLength();

    /** Tokens per encoder position. */
    int inputFields();

    /** Whether the position of an input token carries meaning (false: the input is a set, e.g. a table). */
    boolean inputPositions();

    int promptLength();

    /** Tokens of the chain of thought, the answer included. */
    int cotLength();

    /** The end token after the chain. */
    int eos();

    /** Indices into the chain that hold the answer. */
    int[] answerPositions();

    /** log2 of the number of distinct problems (input and prompt), at most 64. */
    double log2Problems();

    Problem sample(SplittableRandom random);

    /** The input as one token sequence, for a decoder-only model. */
    default int[] renderInput(Problem p) {
        return p.input();
    }

    /** The decoder-only rendering's length. */
    default int renderedInputLength() {
        return inputLength() * inputFields();
    }

    /** The same task with another input length (its main size), for length scaling; refused where it makes no sense. */
    default ReasoningTask withInputLength(int n) {
        throw new IllegalArgumentException("testLengths: the " + name() + " task's model learns input positions, so"
                + " it only runs at the length it was trained on");
    }
}
