package dev.sagaflow.jdbc.internal;

import dev.sagaflow.SagaStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Deletes what is no longer needed: instances that finished successfully, with their history and recorded
 * replies, and outbox messages sent long ago. Each call is one transaction that first selects the keys (up to
 * the limit) and then deletes by key, which every supported database can do (MySQL and MariaDB refuse a
 * {@code LIMIT} inside {@code IN (...)}). Immutable and thread-safe.
 */
public final class Purge {
    private static final String FINISHED = Reads.inList(List.of(SagaStatus.COMPLETED, SagaStatus.COMPENSATED));

    private final Jdbc jdbc;
    private final String finishedSql;
    private final String sentSql;

    public Purge(Jdbc jdbc) {
        this.jdbc = jdbc;
        Tables tables = jdbc.tables();
        this.finishedSql = "SELECT id FROM " + tables.instances() + " WHERE status IN " + FINISHED
                + " AND updated_at < ? ORDER BY created_at, id LIMIT ?";
        this.sentSql = "SELECT seq FROM " + tables.outbox() + " WHERE status = 'SENT' AND done_at < ? ORDER BY seq"
                + " LIMIT ?";
    }

    /** Deletes up to {@code limit} successfully finished instances last written before {@code before}. */
    public int finished(Instant before, int limit) {
        Tables tables = jdbc.tables();
        return jdbc.inTransaction("purge of finished saga instances", null, n -> n > 0, c -> {
            List<String> ids = keys(c, finishedSql, before, limit, String.class);
            if (ids.isEmpty()) {
                return 0;
            }
            String in = " IN (" + placeholders(ids.size()) + ")";
            delete(c, "DELETE FROM " + tables.history() + " WHERE saga_id" + in, ids);
            delete(c, "DELETE FROM " + tables.replies() + " WHERE saga_id" + in, ids);
            delete(c, "DELETE FROM " + tables.outbox() + " WHERE status = 'SENT' AND saga_id" + in, ids);
            return delete(c, "DELETE FROM " + tables.instances() + " WHERE status IN " + FINISHED + " AND id" + in, ids);
        });
    }

    /** Deletes up to {@code limit} outbox messages sent before {@code before} (on the store's clock). */
    public int sent(Instant before, int limit) {
        return jdbc.inTransaction("purge of sent outbox messages", null, n -> n > 0, c -> {
            List<Long> seqs = keys(c, sentSql, before, limit, Long.class);
            if (seqs.isEmpty()) {
                return 0;
            }
            return delete(c, "DELETE FROM " + jdbc.tables().outbox() + " WHERE seq IN (" + placeholders(seqs.size())
                    + ")", seqs);
        });
    }

    private static <K> List<K> keys(Connection c, String sql, Instant before, int limit, Class<K> type)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, Micros.of(before));                  // ... < ?
            ps.setInt(2, limit);                               // LIMIT ?
            List<K> keys = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getObject(1, type));
                }
            }
            return keys;
        }
    }

    private static int delete(Connection c, String sql, List<?> keys) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < keys.size(); i++) {
                ps.setObject(i + 1, keys.get(i));
            }
            return ps.executeUpdate();
        }
    }

    private static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }
}
