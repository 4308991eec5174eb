package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractRandomSagaTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;

/** Random sagas on the JDBC store on MariaDB: 50 in the normal build, more with {@code -Pexhaustive}. */
@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbRandomSagaTest extends AbstractRandomSagaTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return FaultStores.empty(TestDatabase.MARIADB, "sft_random_", storeClock);
    }

    @Override
    protected int normalCases() {
        return 50;
    }
}
