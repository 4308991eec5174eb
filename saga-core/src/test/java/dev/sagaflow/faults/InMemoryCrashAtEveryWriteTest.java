package dev.sagaflow.faults;

import java.time.Clock;

import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;

/** Crash at every write on the in-memory store (round-tripping data through JSON, like a database). */
class InMemoryCrashAtEveryWriteTest extends AbstractCrashAtEveryWriteTest {
    @Override
    protected SagaStore emptyStore(Clock storeClock) {
        return InMemorySagaStore.builder().clock(storeClock).build();
    }
}
