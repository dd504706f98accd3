package org.attn4j.cuda;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated tests only where the cuda provider is available; elsewhere they are skipped and the report
 * gives the provider's exact reason (no driver, no device...). A dynamic {@code @EnabledIf}, with the reason.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(CudaCondition.class)
public @interface RequiresCuda {
}
