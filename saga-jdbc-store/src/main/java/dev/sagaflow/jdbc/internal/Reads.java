package dev.sagaflow.jdbc.internal;

import dev.sagaflow.SagaStatus;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The store's reads, each one statement in autocommit: an instance by id or by idempotency key, its history,
 * and queries. Immutable and thread-safe.
 */
public final class Reads {
    private final Jdbc jdbc;
    private final UnreadableRows unreadable;
    private final String findSql;
    private final String findByKeySql;
    private final String historySql;

    public Reads(Jdbc jdbc, UnreadableRows unreadable) {
        this.jdbc = jdbc;
        this.unreadable = unreadable;
        String instances = jdbc.tables().instances();
        this.findSql = "SELECT " + InstanceColumn.list() + " FROM " + instances + " WHERE id = ?";
        this.findByKeySql = "SELECT " + InstanceColumn.list() + " FROM " + instances
                + " WHERE saga_name = ? AND idempotency_key = ?";
        this.historySql = "SELECT " + InstanceRows.HISTORY_COLUMNS + " FROM " + jdbc.tables().history()
                + " WHERE saga_id = ? ORDER BY version";
    }

    /**
     * The instance with this id.
     *
     * @throws dev.sagaflow.SagaStoreException if the database fails or the row cannot be read
     */
    public Optional<SagaInstance> find(String id) {
        return jdbc.autoCommitted("read of saga instance", id, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(findSql)) {
                ps.setString(1, id);
                return first(ps);
            }
        });
    }

    /** The instance of saga {@code sagaName} started with this idempotency key. */
    public Optional<SagaInstance> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        String what = "read of saga '" + sagaName + "' by idempotency key '" + idempotencyKey + "'";
        return jdbc.autoCommitted(what, null, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(findByKeySql)) {
                ps.setString(1, sagaName);
                ps.setString(2, idempotencyKey);
                return first(ps);
            }
        });
    }

    /** The history of an instance, oldest first. */
    public List<HistoryEntry> history(String id) {
        return jdbc.autoCommitted("read of the history of saga instance", id, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(historySql)) {
                ps.setString(1, id);
                List<HistoryEntry> entries = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        entries.addAll(InstanceRows.readHistory(rs));
                    }
                }
                return entries;
            }
        });
    }

    /** The instances {@code query} selects, oldest first; rows that cannot be read are skipped and logged. */
    public List<SagaInstance> query(SagaQuery query) {
        String sql = querySql(query);
        return jdbc.autoCommitted("query " + query, null, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (query.sagaName() != null) {
                    ps.setString(i++, query.sagaName());                    // saga_name = ?
                }
                if (query.updatedBefore() != null) {
                    ps.setLong(i++, Micros.of(query.updatedBefore()));      // updated_at < ?
                }
                ps.setInt(i, query.limit());                                // LIMIT ?
                List<SagaInstance> found = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        SagaInstance instance = unreadable.readOrSkip(rs, "query");
                        if (instance != null) {
                            found.add(instance);
                        }
                    }
                }
                return found;
            }
        });
    }

    /** The SQL text of {@code query}. */
    public String querySql(SagaQuery query) {
        List<String> where = new ArrayList<>(3);
        if (!query.statuses().isEmpty()) {
            where.add("status IN " + inList(query.statuses().stream().sorted().toList()));
        }
        if (query.sagaName() != null) {
            where.add("saga_name = ?");
        }
        if (query.updatedBefore() != null) {
            where.add("updated_at < ?");
        }
        return "SELECT " + InstanceColumn.list() + " FROM " + jdbc.tables().instances()
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY created_at, id LIMIT ?";
    }

    /** The SQL text of {@link #findByIdempotencyKey}. */
    public String findByKeySql() {
        return findByKeySql;
    }

    /** The SQL text of {@link #history}. */
    public String historySql() {
        return historySql;
    }

    /** {@code ('RUNNING', 'COMPENSATING')}: statuses are enum names, safe to write into SQL. */
    static String inList(Collection<SagaStatus> statuses) {
        return statuses.stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(", ", "(", ")"));
    }

    private static Optional<SagaInstance> first(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(InstanceRows.read(rs)) : Optional.empty();
        }
    }
}
