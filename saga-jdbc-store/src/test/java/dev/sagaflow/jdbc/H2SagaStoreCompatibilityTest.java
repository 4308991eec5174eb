package dev.sagaflow.jdbc;

import dev.sagaflow.jdbc.support.CompatibilityStores;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.SagaStoreCompatibilityTest;
import java.time.Clock;

/** The store compatibility suite on H2, through a connection pool, in tables of its own. */
@RequiresDatabase(TestDatabase.H2)
class H2SagaStoreCompatibilityTest extends SagaStoreCompatibilityTest {
    @Override
    protected SagaStore createStore(Clock clock) {
        return CompatibilityStores.of(TestDatabase.H2, clock);
    }
}
