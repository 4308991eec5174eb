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

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Tables tables;

    public Jdbc(DataSource dataSource, Dialect dialect, Tables tables) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.tables = tables;
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
            throw failure(what, sagaId, e);
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
            throw failure(what, sagaId, e);
        }
    }

    /** The store's exception for {@code e}, naming the operation, the instance, the database and the tables. */
    public SagaStoreException failure(String what, String sagaId, SQLException e) {
        return new SagaStoreException(what + " failed on " + dialect.database() + " (tables " + tables + "): "
                + e.getMessage() + " [SQLState " + e.getSQLState() + "]", sagaId, e);
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
