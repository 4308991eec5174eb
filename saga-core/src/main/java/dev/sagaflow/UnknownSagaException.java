package dev.sagaflow;

/** An instance id, or a definition name and version, that the orchestrator or the store does not know. */
public class UnknownSagaException extends SagaException {
    public UnknownSagaException(String message, String sagaName, String sagaId) {
        super(message, sagaName, sagaId, null, null);
    }
}
