package dev.sagaflow.faults;

import java.time.Clock;

import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;

/** Racing nodes on the in-memory store. */
class InMemoryConcurrentWritersTest extends AbstractConcurrentWritersTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return InMemorySagaStore.builder().clock(storeClock).build();
    }
}
