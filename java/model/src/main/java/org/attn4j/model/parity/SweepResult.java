package org.attn4j.model.parity;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The outcome of a sweep: every run (with its evaluation history) and, per {@code (k, cot)}, the median sample
 * complexity over the seeds, where a run that hit its budget counts as infinite (so the median is null when at least
 * half of the seeds did not converge).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SweepResult(int n, List<Integer> ks, List<Long> seeds, long cotBudget, long noCotBudget,
                          String model, int layers, int heads, int dim, double lr, int batch, int threads,
                          List<Point> summary, List<ParityResult> runs, double seconds) {

    /** One {@code (k, cot)} cell of the grid. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Point(int k, boolean cot, long budget, int runs, int converged, Long medianSampleComplexity,
                       List<Long> sampleComplexities) {
    }
}
