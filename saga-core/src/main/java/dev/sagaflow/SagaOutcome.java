package dev.sagaflow;

/**
 * How a saga instance ended, or that it is stuck: COMPLETED, COMPENSATED or FAILED. Immutable.
 *
 * @param sagaId the instance
 * @param sagaName the definition's name
 * @param status COMPLETED, COMPENSATED or FAILED
 * @param data the saga data at the end
 * @param error why the saga compensated or failed, or {@code null} when it completed
 * @param <D> the saga data type
 */
public record SagaOutcome<D>(String sagaId, String sagaName, SagaStatus status, D data, String error) {
    /** Whether every step succeeded. */
    public boolean isCompleted() {
        return status == SagaStatus.COMPLETED;
    }
}
