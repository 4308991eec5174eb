package dev.sagaflow.jdbc.internal;

import dev.sagaflow.jdbc.JdbcDialect;

/**
 * PostgreSQL: {@code json} data (kept as written) and steps, writable common table expressions for single-statement
 * writes, {@code ON CONFLICT DO NOTHING} for duplicate idempotency keys, {@code SKIP LOCKED}.
 */
final class PostgresDialect extends Dialect {

    PostgresDialect(String database, boolean detected) {
        super(database, detected);
    }

    @Override
    public JdbcDialect kind() {
        return JdbcDialect.POSTGRESQL;
    }

    @Override
    public boolean supportsSkipLocked() {
        return true;
    }

    @Override
    public boolean supportsSingleStatementWrites() {
        return true;
    }

    /** Writable common table expressions over {@code unnest}ed arrays, {@code ON CONFLICT DO NOTHING}, {@code RETURNING}. */
    @Override
    public boolean supportsGroupCommit() {
        return true;
    }

    /** {@code clock_timestamp()}: the time when the statement reads it, not when its transaction began. */
    @Override
    public String nowMicros() {
        return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)";
    }

    /** {@code json} keeps the text exactly as the codec wrote it. */
    @Override
    public String jsonValue(String operand) {
        return "CAST(" + operand + " AS json)";
    }
}
