package dev.sagaflow.internal;

import dev.sagaflow.StepContext;
import java.sql.Connection;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** The context of one attempt. Immutable. */
record AttemptContext(String sagaId, String sagaName, String stepName, int attempt, boolean isCompensation,
        Instant deadlineAt, Connection localConnection, Map<String, String> metadata, Map<String, String> headers)
        implements StepContext {

    AttemptContext withConnection(Connection transactionConnection) {
        return new AttemptContext(sagaId, sagaName, stepName, attempt, isCompensation, deadlineAt,
                transactionConnection, metadata, headers);
    }

    AttemptContext withHeaders(Map<String, String> observerHeaders) {
        return new AttemptContext(sagaId, sagaName, stepName, attempt, isCompensation, deadlineAt, localConnection,
                metadata, Map.copyOf(observerHeaders));
    }

    @Override
    public Connection connection() {
        if (localConnection == null) {
            throw new IllegalStateException("step '" + stepName + "' of saga '" + sagaName + "' instance " + sagaId
                    + " is not local(): it has no store transaction");
        }
        return localConnection;
    }

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
