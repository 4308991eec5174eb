package dev.sagaflow.jdbc.internal;

import dev.sagaflow.store.HistoryEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * MySQL, MariaDB and H2: every write is one short transaction of two statements, the instance row and then,
 * if the write records entries, its history row (then the statements of its replies and messages), and one
 * commit. A lost compare-and-set commits nothing.
 */
final class TransactionalWriter extends InstanceWriter {
    private final String insertSql;
    private final String updateSql;
    private final String historySql;

    TransactionalWriter(Jdbc jdbc) {
        super(jdbc);
        Dialect dialect = jdbc.dialect();
        String instances = jdbc.tables().instances();
        this.insertSql = "INSERT INTO " + instances + " (" + InstanceColumn.list() + ") VALUES ("
                + InstanceColumn.placeholders(dialect) + ")";
        this.updateSql = "UPDATE " + instances + " SET " + InstanceColumn.assignments(dialect)
                + " WHERE id = ? AND version = ?";
        this.historySql = "INSERT INTO " + jdbc.tables().history() + " (" + InstanceRows.HISTORY_COLUMNS + ")"
                + " VALUES (?, ?, ?)";
    }

    @Override
    public boolean insert(EncodedInstance row) {
        jdbc.checkSize(row);
        return jdbc.inTransaction(INSERT, row.id(), written -> written, c -> {
            try (PreparedStatement ps = c.prepareStatement(jdbc.sql(insertSql))) {
                ps.setString(1, row.id());
                InstanceColumn.bindAllButId(ps, 2, row);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (jdbc.dialect().isUniqueViolation(e)) {
                    return resolveDuplicate(c, row.instance(), e);
                }
                throw e;
            }
            appendHistory(c, row);
            writeExtras(c, row);
            return true;
        });
    }

    @Override
    public boolean update(long expectedVersion, EncodedInstance row) {
        jdbc.checkSize(row);
        int rows = jdbc.inTransaction(updateWhat(row), row.id(), n -> n == 1, c -> update(c, expectedVersion, row));
        return checkUpdated(rows, row.id());
    }

    @Override
    public int update(Connection c, long expectedVersion, EncodedInstance row) throws SQLException {
        int rows;
        try (PreparedStatement ps = c.prepareStatement(jdbc.sql(updateSql))) {
            int i = InstanceColumn.bindAllButId(ps, 1, row);   // SET every column but id
            ps.setString(i++, row.id());                       // WHERE id = ?
            ps.setLong(i, expectedVersion);                    // AND version = ?
            rows = ps.executeUpdate();
        }
        if (rows == 1) {
            appendHistory(c, row);
            writeExtras(c, row);
        }
        return rows;
    }

    /** The history row of one write, unless it records no entries. */
    private void appendHistory(Connection c, EncodedInstance row) throws SQLException {
        List<HistoryEntry> history = row.history();
        if (history.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(historySql)) {
            ps.setString(1, row.id());                     // saga_id
            ps.setLong(2, row.instance().version());       // version: the one this write produced
            ps.setString(3, HistoryJson.encode(history));  // entries
            ps.executeUpdate();
        }
    }
}
