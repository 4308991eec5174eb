package dev.sagaflow.jdbc.internal;

import dev.sagaflow.jdbc.JdbcDialect;
import java.sql.SQLException;

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
}
