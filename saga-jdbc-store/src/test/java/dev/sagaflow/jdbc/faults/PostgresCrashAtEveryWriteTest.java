package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractCrashAtEveryWriteTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;

/** Crash at every write on the JDBC store on PostgreSQL (each crash point with one kind of restart, alternating). */
@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresCrashAtEveryWriteTest extends AbstractCrashAtEveryWriteTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return FaultStores.empty(TestDatabase.POSTGRESQL, "sft_crash_", storeClock);
    }

    @Override
    protected boolean bothRestarts() {
        return false;
    }
}
