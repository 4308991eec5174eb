package dev.sagaflow.jdbc;

import dev.sagaflow.jdbc.support.CompatibilityStores;
import dev.sagaflow.jdbc.support.RequiresDatabase;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.OutboxStore;
import dev.sagaflow.store.OutboxStoreCompatibilityTest;
import java.time.Clock;

/** The outbox compatibility suite on PostgreSQL, through a connection pool, in tables of its own. */
@RequiresDatabase(TestDatabase.POSTGRESQL)
class PostgresOutboxStoreCompatibilityTest extends OutboxStoreCompatibilityTest {
    @Override
    protected OutboxStore createStore(Clock clock) {
        return CompatibilityStores.of(TestDatabase.POSTGRESQL, clock);
    }
}
