package dev.sagaflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.jdbc.support.Instances;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaInstance;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The transitions of a running saga change no indexed column, so PostgreSQL writes them as HOT
 * updates: in place on the row's page, with no new index entries. An index on a column that every
 * write changes (as {@code updated_at} once was) would make every update touch every index.
 */
@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresHotUpdateTest {
    private static final String PREFIX = "sft_hot_";

    @Test
    void the_updates_of_a_running_saga_are_hot() throws Exception {
        TestDatabase.POSTGRESQL.execute("DROP TABLE IF EXISTS " + PREFIX + "instances",
                "DROP TABLE IF EXISTS " + PREFIX + "history");
        JdbcSagaStore store = JdbcSagaStore.builder(TestDatabase.POSTGRESQL.dataSource()).tablePrefix(PREFIX)
                .createSchemaIfMissing(true).build();
        int sagas = 20;
        int steps = 4;
        for (int i = 0; i < sagas; i++) {
            SagaInstance current = Instances.started("hot", "fp", steps);
            assertThat(store.insert(current, List.of(Instances.startedEntry(current)))).isTrue();
            // Steps 1 .. steps-1 end while the saga stays RUNNING; the last write completes it.
            for (int done = 1; done < steps; done++) {
                SagaInstance next = Instances.stepSucceeded(current, done);
                assertThat(store.update(current.version(), next, List.of())).isTrue();
                current = next;
            }
        }
        int runningUpdates = sagas * (steps - 1);

        // Statistics reach the view when the writing backends flush them, within about a second.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long[] counts = counts();
        while (counts[0] < runningUpdates && System.nanoTime() < deadline) {
            Thread.sleep(200);
            counts = counts();
        }
        assertThat(counts[0]).as("updates counted").isGreaterThanOrEqualTo(runningUpdates);
        assertThat(counts[1]).as("HOT updates among the %d updates of running sagas", runningUpdates)
                .isGreaterThanOrEqualTo(runningUpdates * 9L / 10);
        TestDatabase.POSTGRESQL.execute("DROP TABLE IF EXISTS " + PREFIX + "instances",
                "DROP TABLE IF EXISTS " + PREFIX + "history");
    }

    /** Updates and HOT updates of the instances table so far. */
    private static long[] counts() throws SQLException {
        try (Connection c = TestDatabase.POSTGRESQL.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables"
                        + " WHERE relname = '" + PREFIX + "instances'")) {
            List<long[]> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(new long[] {rs.getLong(1), rs.getLong(2)});
            }
            return rows.isEmpty() ? new long[] {0, 0} : rows.get(0);
        }
    }
}
