package dev.sagaflow.faults;

import java.time.Clock;

import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;

/** Random sagas on the in-memory store: 400 in the normal build, more with {@code -Pexhaustive}. */
class InMemoryRandomSagaTest extends AbstractRandomSagaTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return InMemorySagaStore.builder().clock(storeClock).build();
    }

    @Override
    protected int normalCases() {
        return 400;
    }
}
