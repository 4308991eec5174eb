package dev.sagaflow.spring.boot;

import dev.sagaflow.SagaOrchestrator;

/**
 * Changes the auto-configured {@link SagaOrchestrator.Builder} before the orchestrator is built, after everything
 * the starter sets (properties, definitions, listeners, interceptors, observers, codec). Declare one or more as
 * beans; they are applied in their {@code @Order}.
 */
@FunctionalInterface
public interface SagaOrchestratorCustomizer {
    /** Customizes {@code builder}. */
    void customize(SagaOrchestrator.Builder builder);
}
