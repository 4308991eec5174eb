package dev.sagaflow.jdbc.internal;

import dev.sagaflow.SagaStatus;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaCount;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
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
        Filter filter = Filter.of(query);
        String sql = querySql(filter);
        return jdbc.autoCommitted("query " + query, null, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = filter.bind(ps, 1);                                 // the filters
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

    /**
     * How many instances {@code query}'s filters select, per saga name and status, ordered by name and then by
     * status in {@link SagaStatus} order. One {@code GROUP BY} statement; the position and limit are ignored.
     */
    public List<SagaCount> count(SagaQuery query) {
        Filter filter = Filter.of(query.after() == null ? query
                : new SagaQuery(query.statuses(), query.sagaName(), query.updatedBefore(), query.createdBefore(),
                        query.idempotencyKey(), query.owner(), null, query.limit()));
        String sql = "SELECT saga_name, status, COUNT(*) FROM " + jdbc.tables().instances() + filter.where()
                + " GROUP BY saga_name, status";
        return jdbc.autoCommitted("count " + query, null, false, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                filter.bind(ps, 1);
                List<SagaCount> counts = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        SagaStatus status = status(rs.getString(2));
                        if (status != null) {
                            counts.add(new SagaCount(rs.getString(1), status, rs.getLong(3)));
                        }
                    }
                }
                counts.sort(Comparator.comparing(SagaCount::sagaName).thenComparing(SagaCount::status));
                return counts;
            }
        });
    }

    /** The SQL text of {@code query}. */
    public String querySql(SagaQuery query) {
        return querySql(Filter.of(query));
    }

    private String querySql(Filter filter) {
        return "SELECT " + InstanceColumn.list() + " FROM " + jdbc.tables().instances() + filter.where()
                + " ORDER BY created_at, id LIMIT ?";
    }

    /** A status column's value, or {@code null} for one this version does not know (counted nowhere). */
    private static SagaStatus status(String name) {
        try {
            return SagaStatus.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            return null;
        }
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
