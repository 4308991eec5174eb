package dev.sagaflow.jdbc.internal;

import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.OutboxStore.FailedMessage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The outbox table's relay side (the instance writes add the messages, see {@link InstanceWriter}): claims,
 * outcomes, failed messages and their retries. A claim is one transaction that locks the claimable messages,
 * oldest first ({@code SKIP LOCKED} where the database has it), and writes the relay and a lease on the store's
 * clock on each. A message is claimable when it is pending, not claimed under a lease that still holds, and no
 * older message of its instance is pending, so that an instance's messages leave in the order they were
 * written. Immutable and thread-safe.
 */
public final class Outbox {
    private static final String COLUMNS = "seq, id, saga_id, saga_name, step, destination, payload, headers, created_at";

    private final Jdbc jdbc;
    private final String claimableSql;
    private final String claimSql;
    private final String finishSql;
    private final String failedSql;
    private final String retrySql;

    public Outbox(Jdbc jdbc) {
        this.jdbc = jdbc;
        String outbox = jdbc.tables().outbox();
        this.claimableSql = "SELECT " + COLUMNS + " FROM " + outbox + " o WHERE o.status = 'PENDING'"
                + " AND (o.claim_until IS NULL OR o.claim_until < ?)"
                + " AND NOT EXISTS (SELECT 1 FROM " + outbox + " p WHERE p.saga_id = o.saga_id AND p.status = 'PENDING'"
                + " AND p.seq < o.seq) ORDER BY o.seq LIMIT ?" + jdbc.dialect().lockClause();
        this.claimSql = "UPDATE " + outbox + " SET claimed_by = ?, claim_until = ? WHERE seq = ?";
        this.finishSql = "UPDATE " + outbox + " SET status = ?, done_at = " + StoreClock.NOW + ", reason = ?,"
                + " claimed_by = NULL, claim_until = NULL WHERE id = ? AND claimed_by = ? AND status = 'PENDING'";
        this.failedSql = "SELECT " + COLUMNS + ", reason, done_at FROM " + outbox + " WHERE status = 'FAILED'"
                + " ORDER BY seq LIMIT ?";
        this.retrySql = "UPDATE " + outbox + " SET status = 'PENDING', reason = NULL, done_at = NULL WHERE id = ?"
                + " AND status = 'FAILED'";
    }

    /** Claims up to {@code limit} messages for {@code relay} under {@code lease}; one transaction. */
    public List<OutboxMessage> claim(String relay, Duration lease, int limit) {
        return jdbc.inTransaction("outbox claim for relay '" + relay + "'", null, claimed -> !claimed.isEmpty(), c -> {
            long now = jdbc.clock().now(c);
            List<Long> seqs = new ArrayList<>();
            List<OutboxMessage> claimed = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(claimableSql)) {
                ps.setQueryTimeout(Jdbc.LEASE_STATEMENT_TIMEOUT_SECONDS);
                ps.setLong(1, now);                            // claim_until < ?
                ps.setInt(2, limit);                           // LIMIT ?
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        seqs.add(rs.getLong(1));
                        claimed.add(message(rs));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(claimSql)) {
                for (long seq : seqs) {
                    ps.setString(1, relay);                    // SET claimed_by = ?
                    ps.setLong(2, now + Micros.of(lease));     // claim_until = ?
                    ps.setLong(3, seq);                        // WHERE seq = ?
                    ps.addBatch();
                }
                if (!seqs.isEmpty()) {
                    ps.executeBatch();
                }
            }
            return List.copyOf(claimed);
        });
    }

    /** Marks a message claimed by {@code relay} sent, or failed with {@code reason}; {@code false} if not claimed by it. */
    public boolean finish(String messageId, String relay, boolean sent, String reason) {
        String what = "marking outbox message '" + messageId + "' " + (sent ? "sent" : "failed");
        return jdbc.autoCommitted(what, null, true, c -> {
            try (PreparedStatement ps = c.prepareStatement(jdbc.sql(finishSql))) {
                ps.setString(1, sent ? "SENT" : "FAILED");     // SET status = ?
                ps.setString(2, Text.storable(reason));        // reason = ?
                ps.setString(3, messageId);                    // WHERE id = ?
                ps.setString(4, relay);                        // AND claimed_by = ?
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Messages the broker refused for good, oldest first. */
    public List<FailedMessage> failed(int limit) {
        return jdbc.autoCommitted("read of failed outbox messages", null, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(failedSql)) {
                ps.setInt(1, limit);                           // LIMIT ?
                List<FailedMessage> failed = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        failed.add(new FailedMessage(message(rs), rs.getString(10), Micros.toInstant(rs.getLong(11))));
                    }
                }
                return failed;
            }
        });
    }

    /** Puts a failed message back in line; {@code false} if there is no failed message with that id. */
    public boolean retry(String messageId) {
        return jdbc.autoCommitted("retry of outbox message '" + messageId + "'", null, true, c -> {
            try (PreparedStatement ps = c.prepareStatement(retrySql)) {
                ps.setString(1, messageId);                    // WHERE id = ?
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** The message in the current row, selected with {@link #COLUMNS}. */
    private static OutboxMessage message(ResultSet rs) throws SQLException {
        return new OutboxMessage(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), MetadataJson.decode(rs.getString(8)), Micros.toInstant(rs.getLong(9)));
    }
}
