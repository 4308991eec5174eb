package dev.sagaflow;

/**
 * A reply was delivered for a step that is not waiting for one: it came late (the step timed out
 * or the saga moved on), twice, or for a step or saga that does not exist. The reply was not applied.
 */
public class ReplyRejectedException extends SagaException {
    public ReplyRejectedException(String message, String sagaName, String sagaId, String step) {
        super(message, sagaName, sagaId, step, null);
    }
}
