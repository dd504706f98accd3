package org.attn4j.bench.results;

import java.util.List;

/**
 * How a run was configured.
 *
 * @param shapeSets     shape sets run ({@code fa}, {@code gym}, file names)
 * @param scaling       how the CPU shapes were scaled from the SPEC's
 * @param rotateBytes   inputs spanned by the rotated input sets (cache-flush size)
 * @param budgetSeconds time budget (0: none)
 */
public record Settings(boolean quick, List<String> shapeSets, List<String> masks, List<String> dtypes,
                       String scaling, int warmup, int minReps, int maxReps, double targetSeconds,
                       double budgetSeconds, long rotateBytes) {
}
