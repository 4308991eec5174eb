package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.StepContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * A remote participant as a saga sees it, in the proof's tables: it logs every call it receives
 * ({@code calls}) and applies each command once per idempotency key ({@code effects}); a command
 * delivered again only counts the delivery, as an idempotent service would. Each call is committed
 * before it returns. Thread-safe.
 */
final class Participant {
    private final DataSource dataSource;
    private final String calls;
    private final String effects;
    private final String node;
    private final String process;

    /**
     * @param node the orchestrator node the calls come from
     * @param process which process makes them ({@code child} or {@code parent}), to tell a re-run
     *     after a crash from the first run when both have the same node id
     */
    Participant(DataSource dataSource, ProofTables tables, String node, String process) {
        this(dataSource, tables.prefix(), node, process);
    }

    Participant(DataSource dataSource, String prefix, String node, String process) {
        this.dataSource = dataSource;
        this.calls = prefix + "calls";
        this.effects = prefix + "effects";
        this.node = node;
        this.process = process;
    }

    /** Logs the call and applies its effect once per idempotency key. */
    void handle(StepContext context) throws SQLException {
        call(context);
        apply(context);
    }

    /** Logs the call only (a participant that said no applies nothing). */
    void call(StepContext context) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO "
                + calls + " (saga_id, step, kind, idem_key, attempt, node, process) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, context.sagaId());
            ps.setString(2, context.stepName());
            ps.setString(3, kind(context));
            ps.setString(4, context.idempotencyKey());
            ps.setInt(5, context.attempt());
            ps.setString(6, node);
            ps.setString(7, process);
            ps.executeUpdate();
        }
    }

    private void apply(StepContext context) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            for (int tries = 0; tries < 2; tries++) {
                if (countDelivery(c, context.idempotencyKey()) == 1) {
                    return;
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + effects
                        + " (idem_key, saga_id, step, kind, deliveries) VALUES (?, ?, ?, ?, 1)")) {
                    ps.setString(1, context.idempotencyKey());
                    ps.setString(2, context.sagaId());
                    ps.setString(3, context.stepName());
                    ps.setString(4, kind(context));
                    ps.executeUpdate();
                    return;
                } catch (SQLException e) {
                    if (!isUniqueViolation(e)) {
                        throw e;
                    }
                    // delivered twice at once: count this one as a repeat
                }
            }
            throw new SQLException("effect " + context.idempotencyKey() + " could be neither inserted nor counted");
        }
    }

    private int countDelivery(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + effects
                + " SET deliveries = deliveries + 1 WHERE idem_key = ?")) {
            ps.setString(1, key);
            return ps.executeUpdate();
        }
    }

    static String kind(StepContext context) {
        return context.isCompensation() ? "undo" : "do";
    }

    static boolean isUniqueViolation(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }
}
