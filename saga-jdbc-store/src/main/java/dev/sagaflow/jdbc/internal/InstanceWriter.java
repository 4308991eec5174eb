package dev.sagaflow.jdbc.internal;

import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * How one kind of database writes an instance row together with its history row (one row per write, holding
 * that write's entries; none when it records no entries), atomically and with one commit: a single statement on
 * PostgreSQL ({@link PostgresWriter}), a transaction of two statements elsewhere ({@link TransactionalWriter}),
 * or many callers' writes in one statement ({@link GroupCommitWriter}). Each keeps its SQL beside its bindings.
 * Implementations are immutable and thread-safe.
 */
public abstract class InstanceWriter {
    static final String INSERT = "insert of saga instance";

    final Jdbc jdbc;
    private final String keyTakenSql;
    private final String idTakenSql;

    InstanceWriter(Jdbc jdbc) {
        this.jdbc = jdbc;
        String instances = jdbc.tables().instances();
        this.keyTakenSql = "SELECT 1 FROM " + instances + " WHERE saga_name = ? AND idempotency_key = ?";
        this.idTakenSql = "SELECT 1 FROM " + instances + " WHERE id = ?";
    }

    /** The writer for {@code jdbc}'s database, without group commit. */
    public static InstanceWriter of(Jdbc jdbc) {
        return jdbc.dialect().supportsSingleStatementWrites() ? new PostgresWriter(jdbc) : new TransactionalWriter(jdbc);
    }

    /**
     * Inserts {@code row} (version 1) and its history.
     *
     * @return {@code true} if inserted, {@code false} if its idempotency key is taken (nothing written)
     * @throws IllegalArgumentException if its id is taken
     * @throws dev.sagaflow.SagaStoreException if the database fails
     */
    public abstract boolean insert(EncodedInstance row, List<HistoryEntry> history);

    /**
     * Replaces the row stored at {@code expectedVersion} with {@code row}, and appends its history.
     *
     * @return {@code true} if written, {@code false} if the stored version differs or the row is gone
     * @throws IllegalStateException if more than one row has the id (the table lost its primary key)
     * @throws dev.sagaflow.SagaStoreException if the database fails
     */
    public abstract boolean update(long expectedVersion, EncodedInstance row, List<HistoryEntry> history);

    /**
     * The same update on {@code c}, inside the caller's transaction, which the caller commits.
     *
     * @return how many rows were updated
     */
    public abstract int update(Connection c, long expectedVersion, EncodedInstance row, List<HistoryEntry> history)
            throws SQLException;

    static String updateWhat(EncodedInstance row) {
        return "update of saga instance to version " + row.instance().version();
    }

    /** {@code true} for one row updated, {@code false} for none. */
    boolean checkUpdated(int rows, String id) {
        if (rows > 1) {
            throw jdbc.tooManyRows("update of", id, rows);
        }
        return rows == 1;
    }

    /** A write's history entries as one {@link HistoryJson} value, or {@code null} when it records none. */
    static String historyJson(List<HistoryEntry> history) {
        return history.isEmpty() ? null : HistoryJson.encode(history);
    }

    /**
     * After a duplicate key on insert: {@code false} if the idempotency key is taken (the contract's "already
     * started"), {@link IllegalArgumentException} if the id is; otherwise the original error. Rolls back first
     * when {@code c} is in a transaction, which the duplicate aborted.
     */
    boolean resolveDuplicate(Connection c, SagaInstance instance, SQLException duplicate) throws SQLException {
        if (!c.getAutoCommit()) {
            c.rollback();
        }
        if (instance.idempotencyKey() != null && exists(c, keyTakenSql, instance.sagaName(), instance.idempotencyKey())) {
            return false;
        }
        if (exists(c, idTakenSql, instance.id())) {
            throw new IllegalArgumentException("saga instance " + instance.id() + " already exists in "
                    + jdbc.tables().instances() + "; ids must be unique");
        }
        throw duplicate;
    }

    private static boolean exists(Connection c, String sql, String... parameters) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
