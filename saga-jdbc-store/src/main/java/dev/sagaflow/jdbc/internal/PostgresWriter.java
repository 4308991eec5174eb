package dev.sagaflow.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * PostgreSQL: every write is one statement in autocommit, so one round-trip and one commit. A writable common
 * table expression writes the instance row and, only if that row was written, its history row, and returns how
 * many instance rows it wrote.
 */
final class PostgresWriter extends InstanceWriter {
    private final String insertSql;
    private final String updateSql;

    PostgresWriter(Jdbc jdbc) {
        super(jdbc);
        Dialect dialect = jdbc.dialect();
        String instances = jdbc.tables().instances();
        // Two parameters after the row's: the version written and the history entries (null: no history row).
        String appendHistory = ", h AS (INSERT INTO " + jdbc.tables().history() + " (" + InstanceRows.HISTORY_COLUMNS + ")"
                + " SELECT w.id, e.version, e.entries FROM w CROSS JOIN"
                + " (SELECT CAST(? AS bigint) AS version, CAST(? AS text) AS entries) AS e"
                + " WHERE e.entries IS NOT NULL) SELECT count(*) FROM w";
        // A taken idempotency key inserts nothing (the partial unique index is the conflict target); a taken id fails.
        this.insertSql = "WITH w AS (INSERT INTO " + instances + " (" + InstanceColumn.list() + ")"
                + " VALUES (" + InstanceColumn.placeholders(dialect) + ")"
                + " ON CONFLICT (saga_name, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"
                + " RETURNING id)" + appendHistory;
        this.updateSql = "WITH w AS (UPDATE " + instances + " SET " + InstanceColumn.assignments(dialect)
                + " WHERE id = ? AND version = ? RETURNING id)" + appendHistory;
    }

    @Override
    public boolean insert(EncodedInstance row) {
        jdbc.checkSize(row);
        if (row.hasExtras()) {
            return jdbc.inTransaction(INSERT, row.id(), written -> written, c -> insert(c, row));
        }
        return jdbc.autoCommitted(INSERT, row.id(), true, c -> insert(c, row));
    }

    private boolean insert(Connection c, EncodedInstance row) throws SQLException {
        boolean inserted;
        try (PreparedStatement ps = c.prepareStatement(jdbc.sql(insertSql))) {
            ps.setString(1, row.id());
            int i = InstanceColumn.bindAllButId(ps, 2, row);
            ps.setLong(i++, row.instance().version());   // the history row's version
            ps.setString(i, historyJson(row.history())); // its entries, or null for none
            inserted = rowCount(ps) == 1;
        } catch (SQLException e) {
            if (jdbc.dialect().isUniqueViolation(e)) {
                return resolveDuplicate(c, row.instance(), e);
            }
            throw e;
        }
        if (inserted) {
            writeExtras(c, row);
        }
        return inserted;
    }

    /**
     * One statement in autocommit; a write that also consumes replies or sends messages is one transaction of
     * that statement and theirs.
     */
    @Override
    public boolean update(long expectedVersion, EncodedInstance row) {
        jdbc.checkSize(row);
        int rows = row.hasExtras()
                ? jdbc.inTransaction(updateWhat(row), row.id(), n -> n == 1, c -> update(c, expectedVersion, row))
                : jdbc.autoCommitted(updateWhat(row), row.id(), true, c -> update(c, expectedVersion, row));
        return checkUpdated(rows, row.id());
    }

    @Override
    public int update(Connection c, long expectedVersion, EncodedInstance row) throws SQLException {
        int rows;
        try (PreparedStatement ps = c.prepareStatement(jdbc.sql(updateSql))) {
            int i = InstanceColumn.bindAllButId(ps, 1, row);   // SET every column but id
            ps.setString(i++, row.id());                       // WHERE id = ?
            ps.setLong(i++, expectedVersion);                  // AND version = ?
            ps.setLong(i++, row.instance().version());         // the history row's version
            ps.setString(i, historyJson(row.history()));       // its entries, or null for none
            rows = rowCount(ps);
        }
        if (rows == 1) {
            writeExtras(c, row);
        }
        return rows;
    }

    /** The count the statement returns: instance rows written. */
    static int rowCount(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the write returned no row count");
            }
            return rs.getInt(1);
        }
    }
}
