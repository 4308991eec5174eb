package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractConcurrentWritersTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;

/** Racing nodes on the JDBC store on PostgreSQL. */
@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresConcurrentWritersTest extends AbstractConcurrentWritersTest {
    @Override
    protected SagaStore emptyStore() {
        return FaultStores.empty(TestDatabase.POSTGRESQL, "sft_race_");
    }
}
