package dev.sagaflow;

/**
 * The store failed to read or write. {@link #failure()} says what the caller may conclude about the
 * call that failed: it may have taken effect or not ({@link Failure#OUTCOME_UNKNOWN}: read back to
 * know), it did not and may succeed later ({@link Failure#TRANSIENT}), or it did not and never will
 * as it is ({@link Failure#PERMANENT}). The runtime resolves unknown outcomes by reading back,
 * retries transient failures with backoff, and ends a saga whose write fails permanently FAILED with
 * the reason instead of retrying it forever. Hosts see this exception from calls that read or write
 * the store: {@code start}, {@code reply}, operator calls.
 */
public class SagaStoreException extends SagaException {
    /** What a failed store call left behind. */
    public enum Failure {
        /**
         * The call may or may not have taken effect (the connection broke while a write was being
         * committed, a statement timed out): read back to know. Worth trying again.
         */
        OUTCOME_UNKNOWN,
        /** The call did not take effect and may succeed if tried again (no connection, a deadlock). */
        TRANSIENT,
        /**
         * The call did not take effect and will not as it is: the database refuses the values (too
         * long, invalid characters, a constraint), or the statement (a missing table).
         */
        PERMANENT
    }

    private final Failure failure;

    /** A failure whose outcome is unknown: the most cautious reading, and the default. */
    public SagaStoreException(String message, String sagaId, Throwable cause) {
        this(message, sagaId, cause, Failure.OUTCOME_UNKNOWN);
    }

    /** A failure of the given kind. */
    public SagaStoreException(String message, String sagaId, Throwable cause, Failure failure) {
        super(message, null, sagaId, null, cause);
        this.failure = failure == null ? Failure.OUTCOME_UNKNOWN : failure;
    }

    /** What the failed call left behind. */
    public Failure failure() {
        return failure;
    }

    /** Whether trying the same call again can never succeed. */
    public boolean isPermanent() {
        return failure == Failure.PERMANENT;
    }

    /** Whether the call may have taken effect although it failed. */
    public boolean outcomeUnknown() {
        return failure == Failure.OUTCOME_UNKNOWN;
    }
}
