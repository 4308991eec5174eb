package dev.sagaflow;

/**
 * The orchestrator was closed: it takes no new sagas, and outcomes it had not produced yet will be
 * produced by whichever orchestrator resumes the instances from the store.
 */
public class OrchestratorClosedException extends SagaException {
    public OrchestratorClosedException(String message, String sagaName, String sagaId) {
        super(message, sagaName, sagaId, null, null);
    }
}
