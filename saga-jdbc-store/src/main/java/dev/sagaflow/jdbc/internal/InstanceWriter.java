package dev.sagaflow.jdbc.internal;

import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.OutboxMessage;
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
 * A write that also consumes recorded replies or sends outbox messages adds their statements to the same
 * transaction ({@link #writeExtras}). Implementations are immutable and thread-safe.
 */
public abstract class InstanceWriter {
    static final String INSERT = "insert of saga instance";

    final Jdbc jdbc;
    private final String keyTakenSql;
    private final String idTakenSql;
    private final String consumeReplySql;
    private final String addMessageSql;

    InstanceWriter(Jdbc jdbc) {
        this.jdbc = jdbc;
        String instances = jdbc.tables().instances();
        this.keyTakenSql = "SELECT 1 FROM " + instances + " WHERE saga_name = ? AND idempotency_key = ?";
        this.idTakenSql = "SELECT 1 FROM " + instances + " WHERE id = ?";
        this.consumeReplySql = "DELETE FROM " + jdbc.tables().replies() + " WHERE saga_id = ? AND step = ?";
        this.addMessageSql = "INSERT INTO " + jdbc.tables().outbox() + " (id, saga_id, saga_name, step, destination,"
                + " payload, headers, created_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING')";
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
    public abstract boolean insert(EncodedInstance row);

    /**
     * Replaces the row stored at {@code expectedVersion} with {@code row}, and appends its history.
     *
     * @return {@code true} if written, {@code false} if the stored version differs or the row is gone
     * @throws IllegalStateException if more than one row has the id (the table lost its primary key)
     * @throws dev.sagaflow.SagaStoreException if the database fails
     */
    public abstract boolean update(long expectedVersion, EncodedInstance row);

    /**
     * The same update on {@code c}, inside the caller's transaction, which the caller commits; with the write's
     * consumed replies and outbox messages when it updated the row.
     *
     * @return how many rows were updated
     */
    public abstract int update(Connection c, long expectedVersion, EncodedInstance row) throws SQLException;

    /** Deletes the replies {@code row}'s write consumes and adds the messages it sends, on {@code c}. */
    void writeExtras(Connection c, EncodedInstance row) throws SQLException {
        if (!row.write().consumedReplies().isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(consumeReplySql)) {
                for (String step : row.write().consumedReplies()) {
                    ps.setString(1, row.id());                 // WHERE saga_id = ?
                    ps.setString(2, step);                     // AND step = ?
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        if (!row.write().outbox().isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(addMessageSql)) {
                for (OutboxMessage message : row.write().outbox()) {
                    ps.setString(1, message.id());
                    ps.setString(2, message.sagaId());
                    ps.setString(3, message.sagaName());
                    ps.setString(4, message.step());
                    ps.setString(5, message.destination());
                    ps.setString(6, Text.storable(message.payload()));
                    ps.setString(7, MetadataJson.encodeObject(message.headers()));
                    ps.setLong(8, Micros.of(message.createdAt()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

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
