package dev.sagaflow.internal;

import dev.sagaflow.StepContext;
import java.time.Instant;
import java.util.Optional;

/** The context of one attempt. */
record AttemptContext(String sagaId, String sagaName, String stepName, int attempt, boolean isCompensation,
        Instant deadlineAt) implements StepContext {

    @Override
    public String idempotencyKey() {
        return isCompensation ? sagaId + ":" + stepName + ":compensation" : sagaId + ":" + stepName;
    }

    @Override
    public String correlationId() {
        return sagaId + ":" + stepName;
    }

    @Override
    public Optional<Instant> deadline() {
        return Optional.ofNullable(deadlineAt);
    }
}
