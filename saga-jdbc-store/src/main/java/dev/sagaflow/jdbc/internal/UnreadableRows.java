package dev.sagaflow.jdbc.internal;

import dev.sagaflow.SagaStoreException;
import dev.sagaflow.store.SagaInstance;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rows that claims and queries skip because they cannot be read (someone rewrote a status or the steps by
 * hand): one such row must not break a claim or a query for every other instance. Each is logged at ERROR
 * once per id and version, so a row that stays broken does not fill the log on every poll; it is logged
 * again once it is written anew. Remembers the most recent {@value #REMEMBERED} such rows. Thread-safe.
 */
public final class UnreadableRows {
    private static final Logger log = LoggerFactory.getLogger(UnreadableRows.class);
    static final int REMEMBERED = 1_000;

    private final Set<Key> reported = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            }));

    /**
     * The instance in the current row (selected with {@link InstanceColumn#list()}), or {@code null} if it
     * cannot be read, which is then logged.
     *
     * @param during what skips it, for the log line ("claim", "query")
     */
    public SagaInstance readOrSkip(ResultSet rs, String during) throws SQLException {
        try {
            return InstanceRows.read(rs);
        } catch (SagaStoreException e) {
            String id = rs.getString(InstanceColumn.ID.position());
            long version = rs.getLong(InstanceColumn.VERSION.position());
            if (firstReport(id, version)) {
                log.error("skipping saga instance {} (version {}) in every claim and query: its row cannot be read,"
                        + " and is left as it is for an operator (logged once for this version): {}", id, version,
                        e.getMessage());
            } else {
                log.debug("skipping saga instance {} (version {}) in a {}: its row cannot be read", id, version, during);
            }
            return null;
        }
    }

    /** Whether the row {@code id} at {@code version} is reported for the first time (and remembers it). */
    boolean firstReport(String id, long version) {
        return reported.add(new Key(id, version));
    }

    private record Key(String id, long version) {
    }
}
