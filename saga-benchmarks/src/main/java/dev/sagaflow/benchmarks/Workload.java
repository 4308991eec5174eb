package dev.sagaflow.benchmarks;

/**
 * One configuration under test: something that runs the create-order saga. Opened once per configuration,
 * then used by up to {@link Ledger#MAX_CALLERS} caller threads, each with its own {@link Caller}.
 */
interface Workload extends AutoCloseable {

    /** One caller's handle, used by one thread only. */
    interface Caller extends AutoCloseable {
        /** Runs one saga to its end, waits for it, and checks its outcome (throws if it is wrong). */
        void runSaga(Order order, boolean fail) throws Exception;

        /**
         * Called after each window, when this caller runs no saga until the next: a caller that holds a
         * connection gives it back, so that the configurations taking turns on one database share its pool.
         */
        default void windowEnded() throws Exception {
        }

        @Override
        default void close() throws Exception {
        }
    }

    /** A short name for tables and flags, such as {@code sagaflow-pg}. */
    String name();

    /** The database it writes to, or {@code null} when it runs in memory. */
    Database database();

    Caller caller(int index) throws Exception;

    /** Writes (commits) counted so far, or -1 when it does not write to a database. */
    default long commits() {
        return -1;
    }

    /** Statements counted so far, or -1 when it does not write to a database. */
    default long statements() {
        return -1;
    }

    /** Called between measurement windows, while no saga runs: drops what piled up (an in-memory store's instances). */
    default void betweenWindows() throws Exception {
    }

    @Override
    default void close() throws Exception {
    }
}
