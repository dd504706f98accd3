package org.attn4j.model.alicot;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one run of {@code ./attn4j alicot}, as written to {@code --json}.
 *
 * @param task              the DAG drawn from the seed, e.g. {@code g0 = XNOR(x0, x4), g1 = XOR(g0, x2)}
 * @param steps             steps of the explicit chain (the sink's ancestors)
 * @param accuracy          greedy-decoded answer accuracy on the held-out problems at the end
 * @param chainAccuracy     fraction of held-out problems whose every intermediate prediction is right (explicit: the
 *                          chain tokens; aligned: each thought's most likely chunk state); null for other modes
 * @param stepAccuracy      the same per reasoning position; null for other modes
 * @param sampleComplexity  training problems seen at the first evaluation with {@code accuracy >= target}, or null
 * @param decodeSteps       sequential forward passes from the prompt to the answer (the prompt's counts as one)
 * @param msPerProblem      median wall time to answer one problem alone (batch 1, KV cache, prompt included)
 * @param msPerProblemMean  mean of the same
 * @param promptMs          median time of the prompt's pass alone (the part every mode shares)
 * @param explicitMsPerProblem latent modes: median time of an explicit chain of the task's length decoded by the same
 *                          model, each problem right after its latent decoding (same machine load); null otherwise
 * @param pairedSpeedup     {@code explicitMsPerProblem / msPerProblem}: the latent decoding's speedup; null otherwise
 * @param loadAverage       the system's one-minute load average when the timing ended (2 cores: above 2 means the
 *                          timed process shared them), or null where unknown
 * @param probe             {@code [state j][step i]}: held-out accuracy of a linear probe reading chain step
 *                          {@code i}'s value (last column: the answer) off the hidden state of row {@code P-1+j} (the
 *                          state a latent mode feeds back as thought {@code j}); null without reasoning positions
 * @param probeOwn          for each state, the mean of {@code probe} over the steps it stands for
 * @param cpuSeconds        CPU time of the JVM during the run (all threads)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AlicotResult(int inputs, int depth, int fanIn, String mode, int latents, int ratio, long seed,
                           String task, int steps,
                           double accuracy, Double chainAccuracy, double[] stepAccuracy, boolean converged,
                           Long sampleComplexity, long samplesSeen, double target, int decodeSteps,
                           Double msPerProblem, Double msPerProblemMean, Double promptMs,
                           Double explicitMsPerProblem, Double pairedSpeedup, Double loadAverage, int timingProblems,
                           double[][] probe, double[] probeOwn, int layers, int heads, int dim, long parameters,
                           double lr, int batch, long budget, int evalSize, double seconds, double trainSeconds,
                           double cpuSeconds, double samplesPerSecond, String attention, int threads, String date,
                           Map<String, Object> settings, List<AlicotPoint> history) {
}
