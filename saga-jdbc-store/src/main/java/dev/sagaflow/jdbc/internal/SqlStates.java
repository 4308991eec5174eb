package dev.sagaflow.jdbc.internal;

import dev.sagaflow.SagaStoreException.Failure;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.util.Set;

/**
 * What a failed statement's SQLState says about its outcome. The classes used are standard (SQL:2011 and
 * every supported driver): {@code 08} connection exceptions, {@code 40} transaction rollbacks (deadlocks,
 * serialization failures). Stateless.
 */
final class SqlStates {
    /**
     * Classes whose statements the database refused for what they are, so that sending them again can never
     * succeed: {@code 21} cardinality, {@code 22} data (too long, invalid characters), {@code 23} integrity
     * constraints, {@code 42} syntax or access rule (a missing table or column), {@code 0A} feature not supported,
     * {@code 44} check option.
     */
    private static final Set<String> PERMANENT_CLASSES = Set.of("21", "22", "23", "42", "0A", "44");

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
     * What a failed call left behind. A failure without an answer from the database (a connection failure,
     * class {@code 08}, no SQLState, a timeout or cancellation, class {@code 57}) leaves a write's outcome
     * unknown; a refusal of the values or of the statement is permanent; anything else the database answered
     * with (a deadlock, a lock timeout, too many connections) left nothing and may succeed later. A read leaves
     * nothing behind, so its failure is transient unless permanent.
     */
    static Failure failure(SQLException e, boolean write) {
        String state = e.getSQLState();
        if (state != null && state.length() >= 2 && PERMANENT_CLASSES.contains(state.substring(0, 2))) {
            return Failure.PERMANENT;
        }
        boolean noAnswer = state == null || state.startsWith("08") || state.startsWith("57")
                || e instanceof SQLTimeoutException || e instanceof SQLRecoverableException;
        return write && noAnswer ? Failure.OUTCOME_UNKNOWN : Failure.TRANSIENT;
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
