package dev.sagaflow.jdbc.internal;

import dev.sagaflow.jdbc.JdbcDialect;

/**
 * H2 2.x: {@code CLOB} columns for JSON, one short transaction per write. H2 parses
 * {@code SKIP LOCKED} but applies the limit before skipping, so claims use plain {@code FOR UPDATE}
 * and a version check on every row instead.
 */
final class H2Dialect extends Dialect {

    H2Dialect(String database, boolean detected) {
        super(database, detected);
    }

    @Override
    public JdbcDialect kind() {
        return JdbcDialect.H2;
    }

    @Override
    public boolean supportsSkipLocked() {
        return false;
    }

    @Override
    public String nowMicros() {
        // EXTRACT(EPOCH ...) of a TIMESTAMP WITH TIME ZONE counts from 1970 UTC; DATEDIFF would compare local times.
        return "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000000 AS BIGINT)";
    }

    @Override
    public String textType() {
        return "CLOB";
    }
}
