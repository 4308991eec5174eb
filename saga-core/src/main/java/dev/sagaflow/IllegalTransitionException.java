package dev.sagaflow;

/**
 * A state change that the lifecycle does not allow was attempted, such as retrying a saga that is
 * not FAILED or aborting one that is past its pivot. The message names the from and to states.
 */
public class IllegalTransitionException extends SagaException {
    public IllegalTransitionException(String message, String sagaName, String sagaId, String step) {
        super(message, sagaName, sagaId, step, null);
    }
}
