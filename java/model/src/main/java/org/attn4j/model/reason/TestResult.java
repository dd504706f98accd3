package org.attn4j.model.reason;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * The trained model reasoning on held-out problems by greedy generation through its caches.
 *
 * @param decodeAttention  the attention at generation ({@code as trained}, or the pattern replacing it)
 * @param inputLength      the problems' input length (the training one, or a length-scaling one)
 * @param problems         test problems
 * @param accuracy         problems whose answer is right
 * @param exactMatch       problems whose whole chain and end token are right
 * @param cotLength        mean tokens generated before the first end token (the chain's length when none)
 * @param attendedFraction attended (query, key) pairs over the pairs dense attention would attend, every layer, head
 *                         and attention kind of the generation (the encoder's or prompt's pass included)
 * @param pairs            per attention kind: {@code {attended, dense}}
 * @param msPerProblem     wall time of the generation per problem (the encoder's pass and the decoding)
 * @param cpuMsPerProblem  CPU time of the process over the same span per problem, all threads: on a shared machine
 *                         the figure that compares runs (wall time also counts waiting for the cores)
 * @param encodeMsPerProblem the encoder's (or the GPT prompt's) pass per problem
 * @param decodeMsPerProblem the token-by-token steps per problem
 * @param outputSupport    mean number of tokens with non-zero output probability per generated token
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TestResult(String decodeAttention, int inputLength, int problems, double accuracy, double exactMatch,
                         double cotLength, double attendedFraction, Map<String, long[]> pairs, double msPerProblem,
                         double cpuMsPerProblem, double encodeMsPerProblem, double decodeMsPerProblem,
                         double outputSupport) {
}
