package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.SoakRun;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 100,000 short sagas through PostgreSQL, in a heap of 256 MB ({@code -Psoak}): no thread, timer
 * task or finished saga is left behind in the JVM. The rows stay in the database (emptied at the start).
 */
@Tag("soak")
@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresSoakTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.MINUTES)
    void a_hundred_thousand_sagas_through_postgresql_leave_no_thread_timer_task_or_instance_behind()
            throws Exception {
        JdbcSagaStore store = FaultStores.empty(TestDatabase.POSTGRESQL, "sft_soak_");
        String report = new SoakRun(store, () -> { }).run(100_000, 5_000, 8);
        System.out.println("[soak] PostgreSQL: " + report);
    }
}
