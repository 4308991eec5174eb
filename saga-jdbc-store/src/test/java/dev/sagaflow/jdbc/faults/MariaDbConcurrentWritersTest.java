package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractConcurrentWritersTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;

/** Racing nodes on the JDBC store on MariaDB. */
@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbConcurrentWritersTest extends AbstractConcurrentWritersTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return FaultStores.empty(TestDatabase.MARIADB, "sft_race_", storeClock);
    }
}
