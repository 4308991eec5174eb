package dev.sagaflow.messaging;

import dev.sagaflow.SagaStoreException;
import dev.sagaflow.store.ForwardingSagaStore;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;

/** An in-memory saga store that a test can take down: every call then fails as a refused connection does. */
public class SwitchableStore extends ForwardingSagaStore {
    /** While set, every call throws a transient {@link SagaStoreException}. */
    public volatile boolean down;

    public SwitchableStore() {
        this(InMemorySagaStore.create());
    }

    public SwitchableStore(SagaStore delegate) {
        super(delegate);
    }

    @Override
    protected void beforeCall() {
        if (down) {
            throw new SagaStoreException("connection refused", null, null, SagaStoreException.Failure.TRANSIENT);
        }
    }
}
