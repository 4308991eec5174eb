package dev.sagaflow.jdbc.proofs;

import dev.sagaflow.store.ForwardingSagaStore;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.SagaStore;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Delegates to a store and remembers which instances had an update fail with an exception. Thread-safe. */
final class FailedWritesStore extends ForwardingSagaStore {
    private final Set<String> failed = ConcurrentHashMap.newKeySet();

    FailedWritesStore(SagaStore target) {
        super(target);
    }

    /** The instances an update failed for, so far. */
    Set<String> failed() {
        return Set.copyOf(failed);
    }

    @Override
    public boolean update(long expectedVersion, InstanceWrite write) {
        try {
            return delegate.update(expectedVersion, write);
        } catch (RuntimeException e) {
            failed.add(write.instance().id());
            throw e;
        }
    }

    @Override
    public String toString() {
        return "FailedWritesStore[" + delegate + "]";
    }
}
