package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractRandomSagaTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;

/** Random sagas on the JDBC store on PostgreSQL: 100 in the normal build, more with {@code -Pexhaustive}. */
@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresRandomSagaTest extends AbstractRandomSagaTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return FaultStores.empty(TestDatabase.POSTGRESQL, "sft_random_", storeClock);
    }

    @Override
    protected int normalCases() {
        return 100;
    }
}
