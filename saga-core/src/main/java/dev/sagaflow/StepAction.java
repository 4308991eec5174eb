package dev.sagaflow;

/**
 * A synchronous step action or compensation: it receives the saga data and returns the data for
 * the next step (the same object, mutated, or a new one, as with records). Returning {@code null}
 * fails the attempt.
 *
 * <p>Throw {@link BusinessRejection} when a participant says no; any other exception is retried
 * as the step's {@link RetryPolicy} says. The action may run more than once (after a crash, or a
 * timeout) with the same {@link StepContext#idempotencyKey()}, so it must be idempotent.
 *
 * @param <D> the saga data type
 */
@FunctionalInterface
public interface StepAction<D> {
    D apply(D data, StepContext context) throws Exception;
}
