package org.attn4j.cuda;

import org.attn4j.spi.Availability;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The condition behind {@link RequiresCuda}. */
public final class CudaCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Availability a = CudaRuntime.availability();
        return a.isAvailable()
                ? ConditionEvaluationResult.enabled("cuda available: " + a.reason())
                : ConditionEvaluationResult.disabled("cuda unavailable: " + a.reason());
    }

    /** For {@code @EnabledIf("org.attn4j.cuda.CudaCondition#available")}. */
    public static boolean available() {
        return CudaRuntime.isAvailable();
    }
}
