package dev.sagaflow.jdbc.internal;

import dev.sagaflow.store.SagaQuery;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A query's filters as a {@code WHERE} clause and its parameters, built side by side so that each condition
 * sits beside what it binds. The result order is {@code created_at, id}; a page's position continues it
 * (keyset paging: no offset, so a page costs the same however deep). Immutable.
 */
final class Filter {
    private final List<String> conditions = new ArrayList<>();
    private final List<Object> parameters = new ArrayList<>();

    private Filter() {
    }

    /** The filters of {@code query}. */
    static Filter of(SagaQuery query) {
        Filter filter = new Filter();
        if (!query.statuses().isEmpty()) {
            filter.conditions.add("status IN " + Reads.inList(query.statuses().stream().sorted().toList()));
        }
        if (query.sagaName() != null) {
            filter.add("saga_name = ?", query.sagaName());
        }
        if (query.updatedBefore() != null) {
            filter.add("updated_at < ?", Micros.of(query.updatedBefore()));
        }
        if (query.createdBefore() != null) {
            filter.add("created_at < ?", Micros.of(query.createdBefore()));
        }
        if (query.idempotencyKey() != null) {
            filter.add("idempotency_key = ?", query.idempotencyKey());
        }
        if (query.owner() != null) {
            filter.add("owner = ?", query.owner());
        }
        if (query.after() != null) {
            long createdAt = Micros.of(query.after().createdAt());
            // The leading "created_at >= ?" lets every database start its index scan at the position; the rest
            // skips the rows of that instant up to the position's id.
            filter.add("created_at >= ? AND (created_at > ? OR id > ?)", createdAt, createdAt, query.after().id());
        }
        return filter;
    }

    private void add(String condition, Object... values) {
        conditions.add(condition);
        parameters.addAll(List.of(values));
    }

    /** {@code " WHERE a AND b"}, or the empty string when nothing is filtered. */
    String where() {
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    /** Binds the parameters from {@code first} on; returns the next index. */
    int bind(PreparedStatement ps, int first) throws SQLException {
        int i = first;
        for (Object value : parameters) {
            if (value instanceof Long micros) {
                ps.setLong(i++, micros);
            } else {
                ps.setString(i++, (String) value);
            }
        }
        return i;
    }
}
