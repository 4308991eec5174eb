package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractConcurrentWritersTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;

/** Racing nodes on the JDBC store on H2. */
@RequiresDatabase(TestDatabase.H2)
class H2ConcurrentWritersTest extends AbstractConcurrentWritersTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return FaultStores.empty(TestDatabase.H2, "sft_race_", storeClock);
    }
}
