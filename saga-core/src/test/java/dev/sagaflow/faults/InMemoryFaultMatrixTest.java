package dev.sagaflow.faults;

import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.time.Clock;

/** The fault matrix on the in-memory store. */
class InMemoryFaultMatrixTest extends AbstractFaultMatrixTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return InMemorySagaStore.builder().clock(storeClock).build();
    }
}
