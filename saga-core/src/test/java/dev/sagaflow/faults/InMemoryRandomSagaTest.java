package dev.sagaflow.faults;

import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;

/** Random sagas on the in-memory store: 400 in the normal build, more with {@code -Pexhaustive}. */
class InMemoryRandomSagaTest extends AbstractRandomSagaTest {
    @Override
    protected SagaStore emptyStore() {
        return InMemorySagaStore.create();
    }

    @Override
    protected int normalCases() {
        return 400;
    }
}
