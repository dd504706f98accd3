package org.attn4j.model.reason;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one reasoning run, as written to {@code --json}: the headline figures of the trained model reasoning
 * on held-out problems as trained (accuracy, chain length, attended fraction, time per problem), every test (other
 * attention at generation, other input lengths), the training history and the settings.
 *
 * @param samplesToConverge samples seen at the first evaluation with teacher-forced exact match 1.0, or null
 * @param parameters        trainable scalars of the model
 * @param provider          the attention provider that ran the model
 * @param trainSeconds      time in training steps (evaluations excluded)
 * @param trainCpuSeconds   CPU time of the process in those steps, all threads
 * @param loadAverage       the machine's one-minute load average at the start and at the end of the run
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ReasonResult(String task, String arch, String attention, double featureMask, String output,
                           double accuracy, double exactMatch, double cotLength, double attendedFraction,
                           double msPerProblem, Long samplesToConverge, long samplesSeen, long parameters,
                           String provider, double seconds, double trainSeconds, double trainCpuSeconds,
                           double[] loadAverage, Map<String, Object> settings,
                           List<TestResult> tests, List<TrainingPoint> history) {
}
