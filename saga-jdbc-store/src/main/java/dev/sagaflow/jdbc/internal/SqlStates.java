package dev.sagaflow.jdbc.internal;

import java.sql.SQLException;

/**
 * What a failed statement's SQLState says about its outcome. The classes used are standard (SQL:2011 and
 * every supported driver): {@code 08} connection exceptions, {@code 40} transaction rollbacks (deadlocks,
 * serialization failures). Stateless.
 */
final class SqlStates {

    private SqlStates() {
    }

    /**
     * Whether the database rolled the transaction back to resolve a conflict with another one (a deadlock or a
     * serialization failure, class {@code 40}): nothing was written, and trying again is safe.
     */
    static boolean isRolledBackConflict(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("40");
    }

    /**
     * Whether the database answered and refused the statement (a constraint, bad data, syntax): nothing of it was
     * written. {@code false} for a connection failure (class {@code 08}) or no SQLState at all, where the outcome
     * is not known.
     */
    static boolean isRefusal(SQLException e) {
        return e.getSQLState() != null && !e.getSQLState().startsWith("08");
    }
}
