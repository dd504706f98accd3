package org.attn4j.model.probe;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What a saved parity model answers on held-out inputs, broken down by the secret bits it should read
 * ({@link ParityProbe}).
 *
 * @param n                      input bits of the task the model was trained on
 * @param k                      secret size
 * @param cot                    whether the sequences carry the chain of thought
 * @param secret                 the secret indices, ascending
 * @param sequencesPerPattern    held-out sequences drawn for each of the {@code 2^k} patterns of the secret bits (the
 *                               other bits uniform)
 * @param sequences              {@code 2^k * sequencesPerPattern}
 * @param accuracy               share of answers right (the answer token's argmax, teacher-forced with CoT); with
 *                               every pattern equally often, this is exact match without CoT
 * @param meanProbabilityCorrect mean probability the model gives the right answer
 * @param patternsRight          patterns answered right on at least 90% of their sequences
 * @param patternsWrong          patterns answered right on at most 10% of their sequences
 * @param patternsMixed          the rest: the answer depends on the non-secret bits (or is a coin toss)
 * @param accuracyByBit          for each input bit {@code i}, the accuracy over the sequences with {@code b_i = 0} and
 *                               over those with {@code b_i = 1} (NaN where there are none)
 * @param influence              for each input bit, the share of sequences whose answer changes when that bit alone
 *                               flips (a parity of the secret: 1 on the secret bits, 0 elsewhere)
 * @param parityCoefficient      the Walsh-Fourier coefficient of the answer on the whole secret:
 *                               {@code E[(-1)^answer (-1)^parity]}, {@code 2 * accuracy - 1}; 1 for a perfect model
 * @param constantCoefficient    the coefficient on the empty set: {@code E[(-1)^answer]}, the bias towards 0
 * @param topCoefficients        the largest coefficients over subsets of the secret, by magnitude (at most 8)
 * @param standardError          {@code 1 / sqrt(sequences)}: the size of a coefficient that is noise
 * @param byOnes                 accuracy grouped by the number of ones among the secret bits
 * @param patterns               every pattern of the secret bits: pattern {@code p} sets secret {@code s_j} to bit
 *                               {@code j} of {@code p}, listed by ascending {@code p}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ProbeReport(int n, int k, boolean cot, int[] secret, int sequencesPerPattern, int sequences,
                          double accuracy, double meanProbabilityCorrect, int patternsRight, int patternsWrong,
                          int patternsMixed, double[][] accuracyByBit, double[] influence, double parityCoefficient, double constantCoefficient,
                          List<Coefficient> topCoefficients, double standardError, List<OnesGroup> byOnes,
                          List<Pattern> patterns) {

    /**
     * One Walsh-Fourier coefficient: {@code E[(-1)^answer (-1)^(sum of the bits in subset)]}.
     *
     * @param subset input indices (a subset of the secret), ascending
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Coefficient(int[] subset, double value) {
    }

    /** The patterns with {@code ones} ones among the secret bits and the share of their answers that are right. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record OnesGroup(int ones, int patterns, double accuracy) {
    }

    /**
     * One pattern of the secret bits.
     *
     * @param bits the secret bits in the order of the secret indices, e.g. {@code "010011"}
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Pattern(String bits, int ones, double accuracy, double meanProbabilityCorrect) {
    }
}
