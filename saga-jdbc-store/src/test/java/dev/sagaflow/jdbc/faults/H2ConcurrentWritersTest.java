package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractConcurrentWritersTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;

/** Racing nodes on the JDBC store on H2. */
@RequiresDatabase(TestDatabase.H2)
class H2ConcurrentWritersTest extends AbstractConcurrentWritersTest {
    @Override
    protected SagaStore emptyStore() {
        return FaultStores.empty(TestDatabase.H2, "sft_race_");
    }
}
