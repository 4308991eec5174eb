package dev.sagaflow;

/**
 * An attempt ran past its step's timeout or the saga's deadline (for an awaiting step: no reply
 * came in time). The attempt may have taken effect, so the step will be compensated if the saga
 * rolls back. Retry policies see this exception and may retry it.
 */
public class StepTimeoutException extends SagaException {
    public StepTimeoutException(String message, String sagaName, String sagaId, String step) {
        super(message, sagaName, sagaId, step, null);
    }
}
