package dev.sagaflow.jdbc.internal;

import dev.sagaflow.jdbc.JdbcDialect;

/**
 * PostgreSQL: {@code json} data (kept as written) and steps, writable common table expressions for single-statement writes
 * and claims, {@code ON CONFLICT DO NOTHING} for duplicate idempotency keys, {@code SKIP LOCKED}.
 */
final class PostgresDialect extends Dialect {
    private final int majorVersion;

    PostgresDialect(String database, int majorVersion, boolean detected) {
        super(database, detected);
        this.majorVersion = majorVersion;
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

    /** {@code json} keeps the text exactly as the codec wrote it. */
    @Override
    public String dataParameter() {
        return "CAST(? AS json)";
    }

    @Override
    public String stepsParameter() {
        return "CAST(? AS json)";
    }

    /**
     * {@code AS MATERIALIZED} where the server knows it (12+), so the claim's locking {@code SELECT}
     * runs exactly once; older servers always materialise a common table expression.
     */
    @Override
    public String materializedCte() {
        return majorVersion >= 12 ? " AS MATERIALIZED " : " AS ";
    }
}
