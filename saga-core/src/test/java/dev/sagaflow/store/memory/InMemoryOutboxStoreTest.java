package dev.sagaflow.store.memory;

import dev.sagaflow.store.OutboxStore;
import dev.sagaflow.store.OutboxStoreCompatibilityTest;
import java.time.Clock;

/** The outbox compatibility suite on the in-memory store. */
class InMemoryOutboxStoreTest extends OutboxStoreCompatibilityTest {
    @Override
    protected OutboxStore createStore(Clock clock) {
        return InMemorySagaStore.builder().clock(clock).build();
    }
}
