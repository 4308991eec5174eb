package dev.sagaflow.console.latency;

import dev.sagaflow.console.support.PostgresDatabase;
import dev.sagaflow.console.support.ShopSagas;
import dev.sagaflow.jdbc.JdbcSagaStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fills a PostgreSQL saga store with many instances, fast: the shop's sagas are run once through the real
 * store (one instance per state, rows exactly as the store writes them), then each row is copied server-side
 * with {@code INSERT ... SELECT ... FROM generate_series}, in batches, under new ids, idempotency keys,
 * creation times spread over 30 days, and four saga names per template. History rows are not copied: the list
 * pages never read them, and a saga page reads one instance's by its primary key.
 *
 * <p>The mix: 93% COMPLETED, 3% COMPLETED after retries, 3% COMPENSATED, 0.4% FAILED, 0.3% RUNNING waiting
 * for a reply, 0.2% RUNNING retrying, 0.1% COMPENSATING.
 */
final class MillionInstances {
    private static final int BATCH = 100_000;
    private static final Map<String, Double> MIX = mix();

    private MillionInstances() {
    }

    /**
     * Makes the store with {@code prefix} hold {@code total} instances (reusing them if it already does) and
     * returns how long loading took, or {@link Duration#ZERO} if nothing was loaded.
     */
    static Duration ensure(String prefix, int total) throws SQLException {
        JdbcSagaStore store = JdbcSagaStore.builder(PostgresDatabase.pooled()).tablePrefix(prefix)
                .createSchemaIfMissing(true).build();
        if (count(prefix) == total) {
            return Duration.ZERO;
        }
        long started = System.nanoTime();
        PostgresDatabase.execute("TRUNCATE " + prefix + "instances, " + prefix + "history");
        Instant now = Instant.now();
        Map<String, String> templates;
        try (ShopSagas shop = ShopSagas.populate(store, now.minus(Duration.ofHours(3)), now)) {
            templates = shop.ids();
        }
        long nowMicros = now.toEpochMilli() * 1000;
        long spanMicros = Duration.ofDays(30).toMillis() * 1000;
        int loaded = 0;
        try (Connection c = PostgresDatabase.dataSource().getConnection()) {
            for (Map.Entry<String, Integer> copies : copies(total - templates.size()).entrySet()) {
                for (int from = 1; from <= copies.getValue(); from += BATCH) {
                    int to = Math.min(copies.getValue(), from + BATCH - 1);
                    loaded += copy(c, prefix, templates.get(copies.getKey()), copies.getKey(), from, to, nowMicros,
                            spanMicros);
                }
            }
        }
        PostgresDatabase.execute("VACUUM ANALYZE " + prefix + "instances", "ANALYZE " + prefix + "history");
        if (count(prefix) != total) {
            throw new IllegalStateException("loaded " + loaded + " copies of " + templates.size() + " templates but "
                    + prefix + "instances holds " + count(prefix) + " rows, not " + total);
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private static int copy(Connection c, String prefix, String templateId, String role, int from, int to,
            long nowMicros, long spanMicros) throws SQLException {
        String sql = "INSERT INTO " + prefix + "instances (id, saga_name, saga_version, fingerprint, idempotency_key,"
                + " status, data, steps, created_at, updated_at, deadline, owner, lease_until, version, error)"
                + " SELECT gen_random_uuid()::text, t.saga_name || (ARRAY['', '-eu', '-us', '-asia'])[1 + g % 4],"
                + " t.saga_version, t.fingerprint, ? || '-' || g, t.status, t.data, t.steps, c.at,"
                + " c.at + (t.updated_at - t.created_at), NULL, NULL, NULL, t.version, t.error"
                + " FROM " + prefix + "instances t CROSS JOIN generate_series(?, ?) g"
                + " CROSS JOIN LATERAL (SELECT ? - (random() * ?)::bigint + g * 0 AS at) c WHERE t.id = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, "key-" + role);
            ps.setInt(2, from);
            ps.setInt(3, to);
            ps.setLong(4, nowMicros);
            ps.setLong(5, spanMicros);
            ps.setString(6, templateId);
            return ps.executeUpdate();
        }
    }

    /** How many copies of each template make {@code copies} in all, in the mix's shares. */
    static Map<String, Integer> copies(int copies) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        int others = 0;
        for (Map.Entry<String, Double> share : MIX.entrySet()) {
            if (!share.getKey().equals("completed")) {
                int count = (int) Math.round(copies * share.getValue());
                counts.put(share.getKey(), count);
                others += count;
            }
        }
        counts.put("completed", copies - others);
        return counts;
    }

    static int count(String prefix) throws SQLException {
        try (Connection c = PostgresDatabase.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + prefix + "instances")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Map<String, Double> mix() {
        Map<String, Double> mix = new LinkedHashMap<>();
        mix.put("completed", 0.93);
        mix.put("completed-after-retries", 0.03);
        mix.put("compensated", 0.03);
        mix.put("failed", 0.004);
        mix.put("awaiting", 0.003);
        mix.put("retrying", 0.002);
        mix.put("compensating", 0.001);
        return mix;
    }
}
