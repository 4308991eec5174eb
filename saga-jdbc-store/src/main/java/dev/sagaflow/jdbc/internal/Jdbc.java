package dev.sagaflow.jdbc.internal;

import dev.sagaflow.SagaStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the store's statements: takes a connection for each call and closes it before returning, commits or
 * rolls back, restores the connection's auto-commit mode, and turns a {@link SQLException} into a
 * {@link SagaStoreException} that names the operation, the instance, the database and the tables. Every
 * database call of the store goes through here, so per-call settings (a statement timeout) and the
 * classification of errors have one place. Immutable and thread-safe.
 */
public final class Jdbc {
    private static final Logger log = LoggerFactory.getLogger(Jdbc.class);

    /** Work on a connection; the runner owns the connection and its transaction. */
    @FunctionalInterface
    public interface Work<R> {
        R run(Connection connection) throws SQLException;
    }

    /** How long a lease renewal, claim or registration may take before the driver cancels it, in seconds. */
    public static final int LEASE_STATEMENT_TIMEOUT_SECONDS = 5;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Tables tables;
    private final StoreClock clock;
    private final long maxStatementBytes;

    /**
     * @param clock the clock leases are measured on
     * @param maxStatementBytes the most bytes of text one write may carry ({@link Dialect#maxStatementBytes})
     */
    public Jdbc(DataSource dataSource, Dialect dialect, Tables tables, StoreClock clock, long maxStatementBytes) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.tables = tables;
        this.clock = clock;
        this.maxStatementBytes = maxStatementBytes;
    }

    /** The clock leases are measured on. */
    public StoreClock clock() {
        return clock;
    }

    /** {@code template} with the store's clock in place of {@link StoreClock#NOW}. */
    public String sql(String template) {
        return clock.sql(template);
    }

    /**
     * Refuses a write larger than the database takes in one statement, before it is sent: the database would
     * report it as a broken connection (MySQL's {@code max_allowed_packet}), which looks like an outage and
     * would be retried for ever.
     *
     * @throws SagaStoreException a permanent failure naming the instance, the size and the limit
     */
    public void checkSize(EncodedInstance row) {
        if (maxStatementBytes == Long.MAX_VALUE) {
            return;
        }
        long bytes = row.textBytes();
        if (bytes > maxStatementBytes) {
            throw new SagaStoreException("write of saga instance " + row.id() + " (version " + row.instance().version()
                    + ") carries " + bytes + " bytes of text, more than the " + maxStatementBytes + " that "
                    + dialect.database() + " takes in one statement (max_allowed_packet)", row.id(), null,
                    SagaStoreException.Failure.PERMANENT);
        }
    }

    /** The most bytes of text one write may carry, {@link Long#MAX_VALUE} for no limit of the database's own. */
    public long maxStatementBytes() {
        return maxStatementBytes;
    }

    public Dialect dialect() {
        return dialect;
    }

    public Tables tables() {
        return tables;
    }

    /**
     * Runs {@code work}, whose statements commit themselves in autocommit mode. When the pool hands out
     * connections with autocommit off, a write is committed and a read is rolled back here, so the cost stays
     * one commit either way.
     *
     * @param what the operation, for the error message ("insert of saga instance")
     * @param sagaId the instance concerned, or {@code null}
     * @throws SagaStoreException if the database fails
     */
    public <R> R autoCommitted(String what, String sagaId, boolean write, Work<R> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            try {
                R result = work.run(c);
                if (!autoCommit) {
                    if (write) {
                        c.commit();
                    } else {
                        c.rollback();
                    }
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                if (!autoCommit) {
                    rollbackQuietly(c, e);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw failure(what, sagaId, e, write);
        }
    }

    /**
     * Runs {@code work} in one transaction, committed if {@code commitIf} accepts its result and rolled back
     * otherwise (and when it throws).
     *
     * @throws SagaStoreException if the database fails
     */
    public <R> R inTransaction(String what, String sagaId, Predicate<R> commitIf, Work<R> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            if (autoCommit) {
                c.setAutoCommit(false);
            }
            try {
                R result = work.run(c);
                if (commitIf.test(result)) {
                    c.commit();
                } else {
                    c.rollback();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                if (autoCommit) {
                    restoreAutoCommit(c);
                }
            }
        } catch (SQLException e) {
            throw failure(what, sagaId, e, true);
        }
    }

    /**
     * The store's exception for {@code e}, naming the operation, the instance, the database and the tables, and
     * saying what the failed call left behind ({@link SqlStates#failure}).
     *
     * @param write whether the call writes; a read that failed left nothing behind
     */
    public SagaStoreException failure(String what, String sagaId, SQLException e, boolean write) {
        return new SagaStoreException(what + " failed on " + dialect.database() + " (tables " + tables.prefix()
                + "*): " + e.getMessage() + " [SQLState " + e.getSQLState() + "]", sagaId, e,
                SqlStates.failure(e, write));
    }

    /** A statement that should match one row by primary key matched several: the schema lost its key. */
    public IllegalStateException tooManyRows(String what, String id, int rows) {
        return new IllegalStateException(what + " saga instance " + id + " matched " + rows + " rows in "
                + tables.instances() + ", not one: its primary key on id is missing. This is a bug in the schema;"
                + " recreate the table from " + dialect.kind().schemaResource());
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            log.debug("cannot restore autocommit on a connection that is closed next", e);
        }
    }
}
