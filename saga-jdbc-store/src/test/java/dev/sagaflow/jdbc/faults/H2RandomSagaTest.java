package dev.sagaflow.jdbc.faults;

import dev.sagaflow.faults.AbstractRandomSagaTest;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;

/** Random sagas on the JDBC store on H2: 100 in the normal build, more with {@code -Pexhaustive}. */
@RequiresDatabase(TestDatabase.H2)
class H2RandomSagaTest extends AbstractRandomSagaTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return FaultStores.empty(TestDatabase.H2, "sft_random_", storeClock);
    }

    @Override
    protected int normalCases() {
        return 100;
    }
}
