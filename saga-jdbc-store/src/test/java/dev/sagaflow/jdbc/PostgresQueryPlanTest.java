package dev.sagaflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.SagaStatus;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The statements the store runs use the schema's indexes on PostgreSQL, on a table of 5,000
 * instances that looks like production: most finished, a few live. The planner chooses on its own
 * (enable_seqscan stays on); the plans are those of the statements the store really sends, with
 * parameters bound, and the table is analysed first.
 */
@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresQueryPlanTest {
    private static final String PREFIX = "sft_plan_";
    private static final int ROWS = 5_000;
    private static final long NOW = 1_714_558_530_000_000L;
    /**
     * The status index (a few live rows among many) or the creation index (read in order, the status filtered,
     * when the planner expects to find the page early): the planner picks by the table's statistics; either
     * reads a page without sorting the table.
     */
    private static final String CREATION_ORDER_INDEX = "(Index (Only )?Scan using|Bitmap Index Scan on) " + PREFIX
            + "instances_(status_)?created_idx";

    private static JdbcSagaStore store;
    private static Connection connection;

    @BeforeAll
    static void fillTables() throws SQLException {
        store = JdbcSagaStore.builder(TestDatabase.POSTGRESQL.dataSource()).tablePrefix(PREFIX)
                .createSchemaIfMissing(true).build();
        connection = TestDatabase.POSTGRESQL.dataSource().getConnection();
        try (Statement s = connection.createStatement()) {
            // Repeatable: only the rows missing from an earlier run are added. 90% COMPLETED, the rest
            // RUNNING, COMPENSATING and FAILED; about a fifth of the live ones owned by one of 8 nodes.
            s.execute("INSERT INTO " + PREFIX + "instances (id, saga_name, saga_version, fingerprint, status, data,"
                    + " steps, created_at, updated_at, owner, lease_until, version)"
                    + " SELECT 'plan-' || n, 'order', 1, 'fp-plan',"
                    + " CASE WHEN n % 20 = 0 THEN 'RUNNING' WHEN n % 20 = 1 THEN 'COMPENSATING'"
                    + "      WHEN n % 50 = 2 THEN 'FAILED' ELSE 'COMPLETED' END,"
                    + " '{\"orderId\":1}', '[]', " + NOW + " - n::bigint * 1000000, " + NOW + " - n::bigint * 1000000,"
                    + " CASE WHEN n % 100 = 0 THEN 'node-' || (n % 8) END,"
                    + " CASE WHEN n % 100 = 0 THEN " + NOW + " END, 1"
                    + " FROM generate_series(1, " + ROWS + ") AS n ON CONFLICT DO NOTHING");
            s.execute("INSERT INTO " + PREFIX + "history (saga_id, version, entries)"
                    + " SELECT 'plan-' || n, 1, '[[" + NOW + ",\"SAGA_STARTED\",null,0,null]]'"
                    + " FROM generate_series(1, " + ROWS + ") AS n"
                    + " WHERE (SELECT count(*) FROM " + PREFIX + "history) < " + ROWS);
            s.execute("ANALYZE " + PREFIX + "instances");
            s.execute("ANALYZE " + PREFIX + "history");
        }
    }

    @AfterAll
    static void close() throws SQLException {
        connection.close();
    }

    @Test
    void claim_reads_the_candidates_through_an_index_in_creation_order() throws SQLException {
        String plan = explain(store.claimSql(false), ps -> {
            ps.setString(1, "fp-plan");
            ps.setLong(2, NOW);
            ps.setInt(3, 100);
        });

        assertThat(plan).containsPattern(CREATION_ORDER_INDEX);
        assertThat(plan).doesNotContain("Seq Scan on " + PREFIX + "instances");
    }

    @Test
    void query_of_live_and_stuck_instances_reads_through_an_index_in_creation_order() throws SQLException {
        SagaQuery stuck = SagaQuery.withStatus(SagaStatus.RUNNING, SagaStatus.COMPENSATING).limit(100);
        String plan = explain(store.querySql(stuck), ps -> ps.setInt(1, 100));
        String failed = explain(store.querySql(SagaQuery.withStatus(SagaStatus.FAILED).limit(100)),
                ps -> ps.setInt(1, 100));

        for (String p : List.of(plan, failed)) {
            assertThat(p).containsPattern(CREATION_ORDER_INDEX);
            assertThat(p).doesNotContain("Seq Scan on " + PREFIX + "instances");
        }
    }

    @Test
    void lease_renewal_finds_live_instances_by_the_status_index() throws SQLException {
        String plan = explain(store.renewLeasesSql(), ps -> {
            ps.setLong(1, NOW + 60_000_000L);
            ps.setString(2, "node-3");
        });

        assertThat(plan).contains(PREFIX + "instances_status_created_idx").doesNotContain("Seq Scan");
    }

    @Test
    void find_by_idempotency_key_uses_the_partial_unique_index() throws SQLException {
        String plan = explain(store.findByKeySql(), ps -> {
            ps.setString(1, "order");
            ps.setString(2, "key-42");
        });

        assertThat(plan).contains(PREFIX + "instances_idempotency_uk").doesNotContain("Seq Scan");
    }

    @Test
    void history_uses_the_primary_key() throws SQLException {
        String plan = explain(store.historySql(), ps -> ps.setString(1, "plan-42"));

        assertThat(plan).contains(PREFIX + "history_pk").doesNotContain("Seq Scan");
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private static String explain(String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("EXPLAIN " + sql)) {
            binder.bind(ps);
            List<String> lines = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lines.add(rs.getString(1));
                }
            }
            String plan = String.join("\n", lines);
            return plan;
        }
    }
}
