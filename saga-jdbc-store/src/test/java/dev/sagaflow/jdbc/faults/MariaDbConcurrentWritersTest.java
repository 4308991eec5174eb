package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractConcurrentWritersTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;

/** Racing nodes on the JDBC store on MariaDB. */
@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbConcurrentWritersTest extends AbstractConcurrentWritersTest {
    @Override
    protected SagaStore emptyStore() {
        return FaultStores.empty(TestDatabase.MARIADB, "sft_race_");
    }
}
