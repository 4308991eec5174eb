package dev.sagaflow.jdbc.internal;

import dev.sagaflow.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * MySQL 8 and MariaDB: {@code LONGTEXT} JSON columns checked by {@code json_valid}, one short
 * transaction per write, {@code SKIP LOCKED} from MySQL 8.0.1 and MariaDB 10.6. Duplicate keys are
 * error 1062 (SQLState 23000).
 */
final class MySqlDialect extends Dialect {
    private static final int ER_DUP_ENTRY = 1062;
    private static final int ER_DUP_ENTRY_WITH_KEY_NAME = 1586;

    private final boolean skipLocked;

    MySqlDialect(String database, boolean skipLocked, boolean detected) {
        super(database, detected);
        this.skipLocked = skipLocked;
    }

    @Override
    public JdbcDialect kind() {
        return JdbcDialect.MYSQL;
    }

    @Override
    public boolean supportsSkipLocked() {
        return skipLocked;
    }

    @Override
    public boolean isUniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && (sql.getErrorCode() == ER_DUP_ENTRY
                    || sql.getErrorCode() == ER_DUP_ENTRY_WITH_KEY_NAME)) {
                return true;
            }
        }
        return false;
    }

    /** {@code UTC_TIMESTAMP(6)}: independent of the session's time zone, and so of daylight saving. */
    @Override
    public String nowMicros() {
        return "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))";
    }

    /**
     * A statement larger than {@code max_allowed_packet} is refused by the server as a broken connection: the
     * packet less room for the rest of the statement (names, numbers, escaping).
     */
    @Override
    public long maxStatementBytes(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT @@max_allowed_packet")) {
            long packet = rs.next() ? rs.getLong(1) : 0;
            return packet <= 0 ? Long.MAX_VALUE : Math.max(1024, packet - 64 * 1024);
        }
    }

    @Override
    public String textType() {
        return "LONGTEXT";
    }
}
