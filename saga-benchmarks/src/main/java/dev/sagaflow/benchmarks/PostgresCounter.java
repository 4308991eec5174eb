package dev.sagaflow.benchmarks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * PostgreSQL's own view of what was written, read through one connection of its own: the next transaction id
 * ({@code pg_snapshot_xmax(pg_current_snapshot())}, which moves by one for every transaction that writes, and
 * never for a read or for an UPDATE that matched no row) and the WAL position. Reading either writes nothing.
 */
final class PostgresCounter implements AutoCloseable {
    private final Connection connection;
    private final Statement statement;

    PostgresCounter() throws SQLException {
        this.connection = Database.POSTGRESQL.connect();
        this.statement = connection.createStatement();
    }

    /** {next transaction id, WAL position in bytes}. */
    synchronized long[] read() {
        try (ResultSet rs = statement.executeQuery("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint,"
                + " pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read PostgreSQL's transaction counter: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws SQLException {
        statement.close();
        connection.close();
    }
}
