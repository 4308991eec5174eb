package dev.sagaflow.store;

import java.sql.Connection;

/**
 * A store that can run a local step's work and record its outcome in one database transaction, so
 * that the work and the checkpoint commit or roll back together: the step takes effect exactly
 * once. Needed by steps declared {@code local()}; the JDBC store implements it.
 */
public interface TransactionalSagaStore extends SagaStore {

    /**
     * Opens a transaction, lets {@code work} do its statements on the transaction's connection, and
     * writes what {@code work} returns with the same compare-and-set, history, consumed replies and
     * outbox messages as {@link #update(long, InstanceWrite)}, on the same connection. Commits if the write
     * succeeded; otherwise rolls everything back, the work included.
     *
     * @return {@code true} if committed; {@code false} if the version check failed (then nothing of
     *     the work remains)
     * @throws LocalWorkException wrapping what {@code work} threw, after rolling back
     * @throws dev.sagaflow.SagaStoreException if the database failed (the outcome of a failed commit
     *     is then unknown: read the instance to find out)
     */
    boolean updateWithLocalWork(long expectedVersion, LocalWork work);

    /** A local step's work and the write that records it. */
    @FunctionalInterface
    interface LocalWork {
        /**
         * Does the work with {@code connection} (never committing or closing it) and returns the
         * write that records its outcome.
         */
        InstanceWrite perform(Connection connection) throws Exception;
    }

    /** What a {@link LocalWork} threw; the transaction was rolled back. */
    final class LocalWorkException extends RuntimeException {
        public LocalWorkException(Throwable cause) {
            super(cause.toString(), cause, false, false);
        }
    }
}
