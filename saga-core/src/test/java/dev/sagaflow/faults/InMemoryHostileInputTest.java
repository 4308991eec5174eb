package dev.sagaflow.faults;

import java.time.Clock;

import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;

/** Hostile input on the in-memory store. */
class InMemoryHostileInputTest extends AbstractHostileInputTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return InMemorySagaStore.builder().clock(storeClock).build();
    }
}
