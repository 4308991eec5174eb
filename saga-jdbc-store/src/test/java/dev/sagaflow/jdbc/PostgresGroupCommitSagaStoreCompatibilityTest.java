package dev.sagaflow.jdbc;

import dev.sagaflow.jdbc.support.CompatibilityStores;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.SagaStoreCompatibilityTest;
import java.time.Clock;

/** The store compatibility suite on PostgreSQL with group commit on: every store guarantee holds in that mode too. */
@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresGroupCommitSagaStoreCompatibilityTest extends SagaStoreCompatibilityTest {
    @Override
    protected SagaStore createStore(Clock clock) {
        return CompatibilityStores.groupCommitOf(TestDatabase.POSTGRESQL, clock);
    }
}
