package dev.sagaflow.spi;

import dev.sagaflow.StepContext;

/**
 * Called before every attempt of every action and compensation. An exception it throws fails that
 * attempt exactly as if the handler had thrown it (so the step's retry policy applies). Used by the
 * test kit's fault injection; also a place for tracing. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface StepInterceptor {
    void beforeAttempt(StepContext context) throws Exception;
}
