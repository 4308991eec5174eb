package dev.sagaflow.jdbc.internal;

import dev.sagaflow.store.RecordedReply;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Participants' replies recorded until the instance's owner applies them: one row per instance and step, the
 * primary key refusing a second. The write that applies a reply deletes it ({@link InstanceWriter}). Immutable and
 * thread-safe.
 */
public final class Replies {
    private final Jdbc jdbc;
    private final String recordSql;
    private final String listSql;

    public Replies(Jdbc jdbc) {
        this.jdbc = jdbc;
        Tables tables = jdbc.tables();
        // Only for an instance that exists: a reply to an unknown instance is not kept.
        this.recordSql = "INSERT INTO " + tables.replies() + " (saga_id, step, succeeded, payload, reason, received_at)"
                + " SELECT id, ?, ?, ?, ?, ? FROM " + tables.instances() + " WHERE id = ?";
        this.listSql = "SELECT saga_id, step, succeeded, payload, reason, received_at FROM " + tables.replies()
                + " WHERE saga_id = ? ORDER BY received_at, step";
    }

    /** Records {@code reply}; {@code false} if one is recorded for its instance and step, or the instance is unknown. */
    public boolean record(RecordedReply reply) {
        String what = "recording of the reply to step '" + reply.step() + "' of saga instance";
        return jdbc.autoCommitted(what, reply.sagaId(), true, c -> {
            try (PreparedStatement ps = c.prepareStatement(recordSql)) {
                ps.setString(1, reply.step());                              // step
                ps.setBoolean(2, reply.succeeded());                        // succeeded
                ps.setString(3, Text.storable(reply.payloadJson()));        // payload
                ps.setString(4, Text.storable(reply.reason()));             // reason
                ps.setLong(5, Micros.of(reply.receivedAt()));               // received_at
                ps.setString(6, reply.sagaId());                            // WHERE id = ?
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
                if (jdbc.dialect().isUniqueViolation(e)) {
                    if (!c.getAutoCommit()) {
                        c.rollback();
                    }
                    return false;
                }
                throw e;
            }
        });
    }

    /** The replies recorded for {@code sagaId}, oldest first. */
    public List<RecordedReply> list(String sagaId) {
        return jdbc.autoCommitted("read of the replies to saga instance", sagaId, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(listSql)) {
                ps.setString(1, sagaId);                                    // WHERE saga_id = ?
                List<RecordedReply> replies = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        replies.add(new RecordedReply(rs.getString(1), rs.getString(2), rs.getBoolean(3),
                                rs.getString(4), rs.getString(5), Micros.toInstant(rs.getLong(6))));
                    }
                }
                return replies;
            }
        });
    }
}
