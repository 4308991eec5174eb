package dev.sagaflow.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A store wrapper for tests: passes every call to another store after {@link #beforeCall()}. A
 * subclass overrides the hook, and the calls it changes.
 */
public abstract class ForwardingSagaStore implements SagaStore {
    protected final SagaStore delegate;

    protected ForwardingSagaStore(SagaStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate cannot be null");
    }

    /** Runs before every call that is passed on; does nothing unless overridden. */
    protected void beforeCall() {
    }

    @Override
    public boolean insert(SagaInstance instance, List<HistoryEntry> history) {
        beforeCall();
        return delegate.insert(instance, history);
    }

    @Override
    public boolean update(long expectedVersion, SagaInstance next, List<HistoryEntry> history) {
        beforeCall();
        return delegate.update(expectedVersion, next, history);
    }

    @Override
    public Optional<SagaInstance> find(String id) {
        beforeCall();
        return delegate.find(id);
    }

    @Override
    public Optional<SagaInstance> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        beforeCall();
        return delegate.findByIdempotencyKey(sagaName, idempotencyKey);
    }

    @Override
    public List<HistoryEntry> history(String id) {
        beforeCall();
        return delegate.history(id);
    }

    @Override
    public List<SagaInstance> query(SagaQuery query) {
        beforeCall();
        return delegate.query(query);
    }

    @Override
    public List<SagaInstance> claim(ClaimRequest request) {
        beforeCall();
        return delegate.claim(request);
    }

    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        beforeCall();
        return delegate.renewLeases(owner, leaseUntil);
    }

    @Override
    public int releaseLeases(String owner) {
        beforeCall();
        return delegate.releaseLeases(owner);
    }
}
