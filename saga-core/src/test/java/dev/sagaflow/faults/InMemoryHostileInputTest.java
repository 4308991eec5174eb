package dev.sagaflow.faults;

import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;

/** Hostile input on the in-memory store. */
class InMemoryHostileInputTest extends AbstractHostileInputTest {
    @Override
    protected SagaStore emptyStore() {
        return InMemorySagaStore.create();
    }
}
