package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractHostileInputTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;

/** saga-core's hostile-input suite on the JDBC store on MariaDB. */
@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbHostileInputTest extends AbstractHostileInputTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return FaultStores.empty(TestDatabase.MARIADB, "sft_hostile_", storeClock);
    }
}
